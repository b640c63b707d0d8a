module anpr

go 1.26.8

require (
	github.com/golang/freetype v0.0.0-20170609003504-e2365dfdc4a0
	github.com/spf13/cobra v1.10.2
	gocv.io/x/gocv v0.31.0
	golang.org/x/image v0.47.0
)

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
)

package source_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"gocv.io/x/gocv"

	"anpr/engine/source"
)

// Reading a directory: good pictures come out as frames, a file that is not
// one comes out as a frame with Err set, and the run goes on.
func Example() {
	dir, err := os.MkdirTemp("", "frames")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	img := gocv.NewMatWithSize(48, 64, gocv.MatTypeCV8UC3)
	gocv.IMWrite(filepath.Join(dir, "1.jpg"), img)
	img.Close()
	os.WriteFile(filepath.Join(dir, "2.jpg"), []byte("not a picture"), 0o644)

	src, err := source.Open(context.Background(), dir, source.Options{})
	if err != nil {
		panic(err)
	}
	defer src.Close()
	for f := range src.Frames() {
		if f.Err != nil {
			fmt.Println(filepath.Base(f.Name), "skipped")
			continue
		}
		fmt.Printf("%s %dx%d\n", filepath.Base(f.Name), f.Image.Cols(), f.Image.Rows())
		f.Image.Close()
	}
	st := src.Stats()
	fmt.Println(st.Frames, "frames,", st.Errors, "errors")
	// Output:
	// 1.jpg 64x48
	// 2.jpg skipped
	// 1 frames, 1 errors
}

package dataset

import (
	"os"
	"testing"

	"anpr/engine/onnx"
)

func TestMain(m *testing.M) {
	onnx.ServeCheck() // this test binary doubles as the model checker
	os.Exit(m.Run())
}

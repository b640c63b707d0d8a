package ocr

import (
	"gocv.io/x/gocv"

	"anpr/engine/onnx"
)

// The reader's output: Slots character slots, left-aligned in reading
// order, each a score for every class. Class 0 is "no character".
const (
	Slots    = 8
	Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	Classes  = len(Alphabet) + 1
)

// ServeModelCheck must be called first thing in main (and in TestMain) of
// any program that opens a reader model; it is onnx.ServeCheck, which see.
func ServeModelCheck() { onnx.ServeCheck() }

// modelSpec is what a reader model must look like.
func modelSpec(path, sha string) onnx.Spec {
	return onnx.Spec{Path: path, SHA256: sha, InputWidth: InputWidth, InputHeight: InputHeight, Outputs: Slots * Classes}
}

// forward runs the network on one preprocessed input and returns the raw
// slot scores, Slots*Classes of them.
func forward(net *gocv.Net, in gocv.Mat) ([]float32, error) { return onnx.Forward(net, in) }

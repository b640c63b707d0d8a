package ocr

import (
	"gocv.io/x/gocv"

	"anpr/engine/onnx"
)

// A reader model comes in one of two kinds, told apart by the size of its
// output.
//
// The slot reader gives Slots character slots, left-aligned in reading
// order, each a score for every class; class 0 is "no character". It takes
// the whole crop stretched (Preprocess).
//
// The line reader (trained with CTC) gives, for each of Frames columns
// across the input, a score for every class, class-major ([class][column]);
// class 0 is the CTC blank. It takes two-line crops with their halves side
// by side (PreprocessLines).
const (
	Slots    = 8
	Frames   = 40
	Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	Classes  = len(Alphabet) + 1
)

// ServeModelCheck must be called first thing in main (and in TestMain) of
// any program that opens a reader model; it is onnx.ServeCheck, which see.
func ServeModelCheck() { onnx.ServeCheck() }

// modelSpec is what a reader model must look like.
func modelSpec(path, sha string) onnx.Spec {
	return onnx.Spec{Path: path, SHA256: sha, InputWidth: InputWidth, InputHeight: InputHeight, Outputs: Slots * Classes, AltOutputs: Frames * Classes}
}

// forward runs the network on one preprocessed input and returns its raw
// scores: Slots*Classes of them from a slot reader, Frames*Classes from a
// line reader.
func forward(net *gocv.Net, in gocv.Mat) ([]float32, error) { return onnx.Forward(net, in) }

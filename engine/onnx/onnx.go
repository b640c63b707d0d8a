// Package onnx loads the project's ONNX models into OpenCV's DNN module
// without letting a bad model file take the process down.
//
// OpenCV aborts the whole process on a model it cannot import, instead of
// returning an error. Load therefore first tries the model in a child copy
// of the running program (see ServeCheck), and only loads it in-process
// once the child has run it successfully.
package onnx

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"time"

	"gocv.io/x/gocv"
)

// Spec says which model to load and what it must look like.
type Spec struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256,omitempty"` // when set, the file must hash to it
	// The model takes one grey image of InputWidth x InputHeight raw
	// 0..255 values and gives Outputs floats, or, when AltOutputs is set
	// (a model that comes in two kinds), that many.
	InputWidth  int `json:"input_width"`
	InputHeight int `json:"input_height"`
	Outputs     int `json:"outputs"`
	AltOutputs  int `json:"alt_outputs,omitempty"`
}

// MaxBytes bounds what is read as a model; ours are a few megabytes.
const MaxBytes = 256 << 20

// checkEnv carries the Spec a child process is asked to try.
const checkEnv = "ANPR_ONNX_MODEL_CHECK"

// ServeCheck must be called first thing in main (and in TestMain) of any
// program that loads a model. In the child process Load starts to try a
// model, it loads the model, runs it once and exits; in every other process
// it returns at once.
func ServeCheck() {
	raw := os.Getenv(checkEnv)
	if raw == "" {
		return
	}
	var s Spec
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		fmt.Fprintln(os.Stderr, "bad model check request:", err)
		os.Exit(3)
	}
	if err := try(s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	os.Exit(0)
}

// Load checks the model's hash, tries it in a child process, then loads it.
// The caller closes the network.
func Load(s Spec) (gocv.Net, error) {
	sum, err := FileSHA256(s.Path)
	if err != nil {
		return gocv.Net{}, err
	}
	if s.SHA256 != "" && s.SHA256 != sum {
		return gocv.Net{}, fmt.Errorf("model %s: sha256 %s, the manifest says %s", s.Path, sum, s.SHA256)
	}
	if err := checkInChild(s); err != nil {
		return gocv.Net{}, err
	}
	net := gocv.ReadNetFromONNX(s.Path)
	if net.Empty() {
		return gocv.Net{}, fmt.Errorf("model %s: OpenCV loaded no network", s.Path)
	}
	return net, nil
}

// try loads the model in this process and checks its output size.
func try(s Spec) error {
	net := gocv.ReadNetFromONNX(s.Path)
	if net.Empty() {
		return fmt.Errorf("OpenCV loaded no network from %s", s.Path)
	}
	defer net.Close()
	in := gocv.NewMatWithSize(s.InputHeight, s.InputWidth, gocv.MatTypeCV8U)
	defer in.Close()
	out, err := Forward(&net, in)
	if err != nil {
		return err
	}
	if len(out) != s.Outputs && (s.AltOutputs == 0 || len(out) != s.AltOutputs) {
		if s.AltOutputs != 0 {
			return fmt.Errorf("model gives %d outputs, want %d or %d", len(out), s.Outputs, s.AltOutputs)
		}
		return fmt.Errorf("model gives %d outputs, want %d", len(out), s.Outputs)
	}
	return nil
}

// checkInChild runs try in a copy of this program.
func checkInChild(s Spec) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable to check the model: %w", err)
	}
	req, err := json.Marshal(s)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), checkEnv+"="+string(req))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = io.Discard
	if err := cmd.Run(); err != nil {
		msg := bytes.TrimSpace(stderr.Bytes())
		if len(msg) > 400 {
			msg = msg[len(msg)-400:]
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 3 {
			return fmt.Errorf("model %s is not usable: %s", s.Path, msg)
		}
		return fmt.Errorf("model %s cannot be loaded (%v): %s", s.Path, err, msg)
	}
	return nil
}

// FileSHA256 hashes a model file, refusing absurd sizes.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("model: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("model: %w", err)
	}
	if st.IsDir() || st.Size() == 0 || st.Size() > MaxBytes {
		return "", fmt.Errorf("model %s: %d bytes is not a model file", path, st.Size())
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("model %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Forward runs the network on one grey 8-bit input and returns a copy of
// its output. Models take raw grey levels 0..255 and normalise themselves.
func Forward(net *gocv.Net, in gocv.Mat) ([]float32, error) {
	blob := gocv.BlobFromImage(in, 1.0, image.Point{in.Cols(), in.Rows()}, gocv.NewScalar(0, 0, 0, 0), false, false)
	defer blob.Close()
	net.SetInput(blob, "")
	out := net.Forward("")
	defer out.Close()
	if out.Empty() {
		return nil, errors.New("model produced no output")
	}
	data, err := out.DataPtrFloat32()
	if err != nil {
		return nil, fmt.Errorf("model output: %w", err)
	}
	return append([]float32(nil), data...), nil
}

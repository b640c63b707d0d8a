package ocr

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"time"

	"gocv.io/x/gocv"
)

// The reader's output: Slots character slots, left-aligned in reading
// order, each a score for every class. Class 0 is "no character".
const (
	Slots    = 8
	Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	Classes  = len(Alphabet) + 1
)

// maxModelBytes bounds what is read as a model; ours are a few megabytes.
const maxModelBytes = 256 << 20

// checkEnv names the model a child process is asked to try loading.
const checkEnv = "ANPR_OCR_MODEL_CHECK"

// ServeModelCheck must be called first thing in main (and in TestMain) of
// any program that opens a reader model. In the child process that Open
// starts to try a model, it loads the model, runs it once and exits; in
// every other process it returns at once.
//
// OpenCV aborts the whole process on a model it cannot import, instead of
// returning an error; trying the model in a child first means a broken
// model file is reported as an error and never takes a serving process down.
func ServeModelCheck() {
	path := os.Getenv(checkEnv)
	if path == "" {
		return
	}
	if err := tryModel(path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	os.Exit(0)
}

// tryModel loads the model in this process and checks its output shape.
func tryModel(path string) error {
	net := gocv.ReadNetFromONNX(path)
	if net.Empty() {
		return fmt.Errorf("OpenCV loaded no network from %s", path)
	}
	defer net.Close()
	in := gocv.NewMatWithSize(InputHeight, InputWidth, gocv.MatTypeCV8U)
	defer in.Close()
	out, err := forward(&net, in)
	if err != nil {
		return err
	}
	if len(out) != Slots*Classes {
		return fmt.Errorf("model gives %d outputs, want %d slots x %d classes", len(out), Slots, Classes)
	}
	return nil
}

// checkModelInChild runs tryModel in a copy of this program.
func checkModelInChild(path string) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable to check the model: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), checkEnv+"="+path)
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
			return fmt.Errorf("model %s is not a usable reader: %s", path, msg)
		}
		return fmt.Errorf("model %s cannot be loaded (%v): %s", path, err, msg)
	}
	return nil
}

// fileSHA256 hashes a model file, refusing absurd sizes.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	if st.IsDir() || st.Size() == 0 || st.Size() > maxModelBytes {
		return "", fmt.Errorf("model %s: %d bytes is not a model file", path, st.Size())
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// forward runs the network on one preprocessed input and returns the raw
// slot scores, Slots*Classes of them.
func forward(net *gocv.Net, in gocv.Mat) ([]float32, error) {
	// Raw grey levels 0..255: the model normalises its input itself.
	blob := gocv.BlobFromImage(in, 1.0, image.Point{InputWidth, InputHeight}, gocv.NewScalar(0, 0, 0, 0), false, false)
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

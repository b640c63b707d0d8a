package ocr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	ServeModelCheck() // this test binary doubles as the model checker
	os.Exit(m.Run())
}

// A broken model file must give an error, never abort the process that
// opens it (OpenCV itself would abort).
func TestBrokenModelsGiveErrorsNotAborts(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.onnx")
	os.WriteFile(garbage, []byte(strings.Repeat("not a model ", 1000)), 0o644)
	empty := filepath.Join(dir, "empty.onnx")
	os.WriteFile(empty, nil, 0o644)
	for name, path := range map[string]string{
		"garbage": garbage, "empty": empty, "missing": filepath.Join(dir, "nope.onnx"), "directory": dir,
	} {
		r, err := Open(path, Options{})
		if err == nil {
			r.Close()
			t.Errorf("%s model opened", name)
			continue
		}
		if !strings.Contains(err.Error(), path) && name != "empty" && name != "directory" {
			t.Errorf("%s: error does not name the file: %v", name, err)
		}
	}
}

func TestModelWithWrongHashIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.onnx")
	os.WriteFile(path, []byte("x"), 0o644)
	if _, err := Open(path, Options{SHA256: "00"}); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("got %v", err)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// executeVRM runs the anpr command line and returns its output and exit code.
func executeVRM(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	code := run(args, &out, &out)
	return out.String(), code
}

func TestVRMCommand(t *testing.T) {
	out, code := executeVRM(t, "vrm", "--date", "2026-11-25", "ab13 cde", "ABZ 1234")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	want := `{"input":"ab13 cde","text":"AB13CDE","display":"AB13 CDE","valid":true,"format":"current","period":{"from":"2013-03-01","to":"2013-08-31"}}
{"input":"ABZ 1234","text":"ABZ1234","display":"ABZ 1234","valid":true,"format":"northern-ireland"}
`
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestVRMCommandInvalid(t *testing.T) {
	out, code := executeVRM(t, "vrm", "--date", "2026-11-25", "AB01CDE", "A123 BCD", "AB77CDE")
	if code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 3 JSON lines and the error:\n%s", len(lines), out)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["valid"] != false || first["format"] != "current" || first["reason"] != "age identifier 01 was never issued" || first["period"] != nil {
		t.Errorf("first line %s", lines[0])
	}
	if !strings.Contains(lines[3], `"AB01CDE"`) || !strings.Contains(lines[3], `"AB77CDE"`) || strings.Contains(lines[3], "A123") {
		t.Errorf("error does not name exactly the invalid marks: %s", lines[3])
	}
}

func TestVRMCommandUsage(t *testing.T) {
	for _, args := range [][]string{{"vrm"}, {"vrm", "--date", "25/11/2026", "AB12CDE"}, {"vrm", "--bogus", "AB12CDE"}} {
		if out, code := executeVRM(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, out)
		}
	}
	out, code := executeVRM(t, "vrm", "--help")
	if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "--date") {
		t.Errorf("--help: exit %d:\n%s", code, out)
	}
}

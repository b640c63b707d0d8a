package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"anpr/engine/audit"
)

// writeAuditLog writes a log of four entries by two users and a hex key file.
func writeAuditLog(t *testing.T, dir string) (logPath, keyPath string) {
	t.Helper()
	key := []byte("cli test key, 32 bytes long.....")
	keyPath = filepath.Join(dir, "audit.key")
	if err := os.WriteFile(keyPath, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath = filepath.Join(dir, "audit.jsonl")
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l, err := audit.Open(logPath, key, func() time.Time { now = now.Add(time.Minute); return now })
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, e := range []audit.Entry{
		{Actor: "pc1234", Role: "operator", Action: audit.ActionLogin, Outcome: audit.OutcomeOK},
		{Actor: "pc1234", Role: "operator", Action: audit.ActionSearch, Target: "vrm=AB12CDE", Outcome: audit.OutcomeAllowed,
			Detail: map[string]string{"justification": "stolen vehicle", "incident": "INC-17"}},
		{Actor: "pc5678", Role: "operator", Action: audit.ActionSearch, Target: "vrm=XY65ZZT", Outcome: audit.OutcomeDenied,
			Detail: map[string]string{"reason": "reads older than 90 days need authorisation"}},
		{Actor: "pc1234", Role: "operator", Action: audit.ActionViewImage, Target: "read/8812", Outcome: audit.OutcomeAllowed},
	} {
		if _, err := l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	return logPath, keyPath
}

func TestAuditVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	logPath, keyPath := writeAuditLog(t, dir)
	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, []byte("deadbeef"), 0o600)

	var stdout, stderr bytes.Buffer
	if code := run([]string{"audit", "verify", "--log", logPath, "--key-file", keyPath}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "intact") {
		t.Fatalf("intact log: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}

	usage := []struct {
		name string
		args []string
	}{
		{"no key file", []string{"audit", "verify", "--log", logPath}},
		{"no log", []string{"audit", "verify", "--key-file", keyPath}},
		{"short key", []string{"audit", "verify", "--log", logPath, "--key-file", short}},
		{"missing key file", []string{"audit", "verify", "--log", logPath, "--key-file", filepath.Join(dir, "none")}},
		{"missing log", []string{"audit", "verify", "--log", filepath.Join(dir, "none.jsonl"), "--key-file", keyPath}},
	}
	for _, c := range usage {
		var errOut bytes.Buffer
		if code := run(c.args, &bytes.Buffer{}, &errOut); code != 2 {
			t.Errorf("%s: exit %d, want 2 (%s)", c.name, code, errOut.String())
		}
		if c.name == "short key" && !strings.Contains(errOut.String(), "at least 16") {
			t.Errorf("short key: %q does not say why", errOut.String())
		}
	}

	// Someone with the file but not the key makes the denied search look allowed.
	b, _ := os.ReadFile(logPath)
	os.WriteFile(logPath, bytes.Replace(b, []byte(`"outcome":"denied"`), []byte(`"outcome":"allowed"`), 1), 0o600)
	stdout.Reset()
	stderr.Reset()
	code := run([]string{"audit", "verify", "--log", logPath, "--key-file", keyPath}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stdout.String(), "line 3: entry 3 (line 3) altered") || !strings.Contains(stderr.String(), "not intact") {
		t.Errorf("tampered log: exit %d\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
	}

	stdout.Reset()
	code = run([]string{"audit", "verify", "--json", "--log", logPath, "--key-file", keyPath}, &stdout, &bytes.Buffer{})
	var rep audit.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); code != 1 || err != nil || rep.OK || len(rep.Problems) != 1 || rep.Problems[0].Line != 3 || rep.Problems[0].Kind != audit.KindAltered {
		t.Errorf("tampered log, --json: exit %d, %v, %+v", code, err, rep)
	}
}

func TestAuditShowCommand(t *testing.T) {
	logPath, _ := writeAuditLog(t, t.TempDir())
	cases := []struct {
		name string
		args []string
		code int
		want []string // entry numbers shown, in order
	}{
		{"everything", nil, 0, []string{"1", "2", "3", "4"}},
		{"one actor", []string{"--actor", "pc5678"}, 0, []string{"3"}},
		{"one action", []string{"--action", "search"}, 0, []string{"2", "3"}},
		{"time window", []string{"--since", "2026-03-02T09:02:00Z", "--until", "2026-03-02T09:04:00Z"}, 0, []string{"2", "3"}},
		{"a day", []string{"--since", "2026-03-02", "--actor", "pc1234", "--action", "view-image"}, 0, []string{"4"}},
		{"unknown action", []string{"--action", "peek"}, 2, nil},
		{"bad time", []string{"--since", "yesterday"}, 2, nil},
	}
	for _, c := range cases {
		for _, asJSON := range []bool{false, true} {
			args := append([]string{"audit", "show", "--log", logPath}, c.args...)
			if asJSON {
				args = append(args, "--json")
			}
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr)
			if code != c.code {
				t.Errorf("%s (json %v): exit %d, want %d: %s", c.name, asJSON, code, c.code, stderr.String())
				continue
			}
			if code != 0 {
				continue
			}
			var got []string
			for i, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
				if asJSON {
					var e audit.Entry
					if err := json.Unmarshal([]byte(line), &e); err != nil {
						t.Fatalf("%s: %q is not an entry: %v", c.name, line, err)
					}
					got = append(got, strconv.FormatUint(e.Seq, 10))
					continue
				}
				if i > 0 { // the first line is the header
					got = append(got, strings.Fields(line)[0])
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("%s (json %v): showed entries %v, want %v\n%s", c.name, asJSON, got, c.want, stdout.String())
			}
		}
	}
}

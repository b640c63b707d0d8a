package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "anpr.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A role's settings come from its file; the command line still wins.
func TestServeConfigFileSetsFlagsCommandLineWins(t *testing.T) {
	cmd := newServeCommand()
	path := writeConfig(t, `
role: matcher
bus: nats://nats1:4222
postgres: postgres://anpr@db/anpr
escalate-after: 90s
stream-replicas: 3
hotlist:
  pnc: /srv/lists/pnc.csv
  local: /srv/lists/local.csv
feed: [A38-N=rtsp://10.0.0.5/s, A5-E=rtsp://10.0.0.6/s]
`)
	if err := cmd.Flags().Parse([]string{"--config", path, "--stream-replicas", "5"}); err != nil {
		t.Fatal(err)
	}
	if err := applyConfigFile(cmd.Flags(), path); err != nil {
		t.Fatal(err)
	}
	get := func(name string) string { return cmd.Flags().Lookup(name).Value.String() }
	for name, want := range map[string]string{
		"role": "matcher", "bus": "nats://nats1:4222", "postgres": "postgres://anpr@db/anpr",
		"escalate-after": (90 * time.Second).String(), "stream-replicas": "5",
		"hotlist": "[local=/srv/lists/local.csv,pnc=/srv/lists/pnc.csv]",
		"feed":    "[A38-N=rtsp://10.0.0.5/s,A5-E=rtsp://10.0.0.6/s]",
	} {
		if got := get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestServeConfigFileRefusesWhatItCannotUse(t *testing.T) {
	for text, want := range map[string]string{
		"rol: matcher\n":            "rol: no such setting",
		"stream-replicas: many\n":   "stream-replicas:",
		"listen: [a, b]\n":          "listen: takes one value, got 2",
		"- just\n- a list\n":        "not a YAML map",
		"hotlist:\n  pnc: [a, b]\n": "pnc: map values must be plain values",
		"config: other.yaml\n":      "config: no such setting",
		"keep-reads: \n":            "keep-reads: no value",
	} {
		cmd := newServeCommand()
		path := writeConfig(t, text)
		err := applyConfigFile(cmd.Flags(), path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%q: error %v, want one naming %s and %q", text, err, path, want)
		}
	}
}

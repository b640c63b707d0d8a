package main

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"anpr/engine/audit"
)

// The first administrator is added from the command line, the change is
// audited, and a machine token is issued once.
func TestUsersCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	runIn := func(stdin string, args ...string) (string, int) {
		var out bytes.Buffer
		root := newRootCommand()
		root.SetArgs(args)
		root.SetIn(strings.NewReader(stdin))
		root.SetOut(&out)
		root.SetErr(io.Discard)
		if err := root.Execute(); err != nil {
			var ue usageError
			if errors.As(err, &ue) || isCobraUsageError(err) {
				return out.String(), 2
			}
			return out.String(), 1
		}
		return out.String(), 0
	}
	if out, code := runIn("a long enough pass phrase\n", "users", "add", "chief", "--role", "administrator", "--data", dir); code != 0 || !strings.Contains(out, "added chief (administrator)") {
		t.Fatalf("users add: exit %d, %q", code, out)
	}
	if _, code := runIn("short\n", "users", "add", "pc1", "--role", "operator", "--data", dir); code != 2 {
		t.Errorf("a short password: exit %d, want 2", code)
	}
	if _, code := runIn("a long enough pass phrase\n", "users", "add", "pc2", "--role", "sergeant", "--data", dir); code != 2 {
		t.Errorf("an unknown role: exit %d, want 2", code)
	}
	if out, code := runIn("", "users", "list", "--data", dir); code != 0 || !strings.Contains(out, `"chief"`) {
		t.Errorf("users list: exit %d, %q", code, out)
	}
	out, code := runIn("", "users", "token", "gantry-1", "--data", dir)
	if code != 0 || !strings.HasPrefix(out, "anpr_") {
		t.Errorf("users token: exit %d, %q; want the secret", code, out)
	}
	entries, err := audit.Query(filepath.Join(dir, "audit.log"), audit.Filter{Action: audit.ActionUserChange})
	if err != nil || len(entries) != 2 || entries[0].Actor != "cli" {
		t.Errorf("audited user changes: %+v, %v; want the user and the token, by cli", entries, err)
	}
}

package access

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkLogin is the cost of a login, most of it the password hash: with
// the default parameters that is what a login costs in production, and
// what a flood of logins costs the server.
func BenchmarkLogin(b *testing.B) {
	for _, bc := range []struct {
		name string
		p    HashParams
	}{
		{"default", HashParams{}},
		{"test", cheap},
	} {
		b.Run(bc.name, func(b *testing.B) {
			d, err := Open(filepath.Join(b.TempDir(), "access.db"), Options{HashParams: bc.p})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			if _, err := d.AddUser(ctx, "alice", Investigator, goodPassword); err != nil {
				b.Fatal(err)
			}
			for i := 0; b.Loop(); i++ {
				if _, err := d.Login(ctx, "alice", goodPassword, fmt.Sprint("192.0.2.", i%250)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

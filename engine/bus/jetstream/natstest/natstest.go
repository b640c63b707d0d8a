// Package natstest runs a NATS server of a test's own, with JetStream on
// disk, that the test can kill as a crash would and start again: for the
// fault tests of the bus and of the roles built on it.
package natstest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Server is a nats-server process of the test's own.
type Server struct {
	t    testing.TB
	bin  string
	port int
	dir  string
	cmd  *exec.Cmd
	// syncAlways: the server syncs every write before acknowledging it
	// (jetstream { sync_interval: always }, nats-server 2.10 and later).
	syncAlways bool
}

// SyncsEveryWrite says whether the server syncs each message to disk
// before acknowledging it. Without that (Debian's nats-server 2.9 has no
// sync_interval), a kill can lose messages the server had acknowledged but
// not yet written, and a test that kills it must allow for that.
func (s *Server) SyncsEveryWrite() bool { return s.syncAlways }

// Start starts a server on a free local port, its JetStream store in a
// temporary directory, and kills it when the test ends. The test skips,
// saying so, where there is no nats-server binary.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		bin = "/usr/sbin/nats-server"
		if _, err := os.Stat(bin); err != nil {
			t.Skip("no nats-server binary to run a server of the test's own (install nats-server)")
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &Server{t: t, bin: bin, port: port, dir: t.TempDir()}
	s.syncAlways = versionAtLeast(bin, 2, 10)
	s.Start()
	t.Cleanup(s.Kill)
	return s
}

// URL is where clients reach the server.
func (s *Server) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.port) }

// Start starts the server (again, after Kill, with what it had on disk)
// and waits until JetStream answers.
func (s *Server) Start() {
	s.t.Helper()
	args := []string{"-a", "127.0.0.1", "-p", fmt.Sprint(s.port), "-js", "-sd", s.dir}
	if s.syncAlways {
		conf := filepath.Join(s.dir, "sync.conf")
		if err := os.WriteFile(conf, []byte("jetstream { sync_interval: always }\n"), 0o644); err != nil {
			s.t.Fatal(err)
		}
		args = append(args, "-c", conf)
	}
	s.cmd = exec.Command(s.bin, args...)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if nc, err := nats.Connect(s.URL()); err == nil {
			js, _ := jetstream.New(nc)
			_, err = js.AccountInfo(context.Background())
			nc.Close()
			if err == nil {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatal("the test's NATS server did not start")
}

// Kill stops the server as a crash would: SIGKILL, no shutdown.
func (s *Server) Kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

// versionAtLeast says whether the nats-server at bin is version major.minor
// or later ("nats-server: v2.9.10").
func versionAtLeast(bin string, major, minor int) bool {
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return false
	}
	var ma, mi int
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "nats-server: v%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}

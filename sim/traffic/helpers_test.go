package traffic

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// defaultNetworkPath is the committed default network, from this package.
const defaultNetworkPath = "../../fixtures/networks/staffordshire.json"

// sharedNetworks is where the TNTP test networks are kept, outside the
// repository (see ../shared/data/networks/README.md): they are not ours to
// commit.
const sharedNetworks = "../../../shared/data/networks"

var defaultNet = sync.OnceValues(func() (*Network, error) { return LoadNetworkFile(defaultNetworkPath) })

// staffordshire loads the default network once for all tests.
func staffordshire(t testing.TB) *Network {
	t.Helper()
	net, err := defaultNet()
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// shared returns the path of a file among the shared networks, skipping
// the test when they are not there.
func shared(t testing.TB, name string) string {
	t.Helper()
	path := filepath.Join(sharedNetworks, name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared network file %s is not there (the TNTP networks live in ../shared/data/networks, outside the repository): %v", path, err)
	}
	return path
}

// nodeOf returns the index of node id, failing the test if there is none.
func nodeOf(t testing.TB, net *Network, id string) int {
	t.Helper()
	i, ok := net.NodeIndex(id)
	if !ok {
		t.Fatalf("network %s has no node %q", net.Name, id)
	}
	return i
}

// writeFile writes text to name in a temporary directory and returns its
// path.
func writeFile(t testing.TB, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

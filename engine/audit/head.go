package audit

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

// head is the content of PATH.head: the number and hash of the log's last
// entry, under the key, so that cutting entries off the end of the log shows.
type head struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"` // Genesis while the log is empty
	MAC  string `json:"mac"`
}

func headPath(logPath string) string { return logPath + ".head" }

func headMAC(key []byte, seq uint64, hash string) string {
	b := []byte(headDomain)
	b = netstring(b, strconv.FormatUint(seq, 10))
	b = netstring(b, hash)
	return mac(key, b)
}

func newHead(key []byte, seq uint64, hash string) head {
	return head{Seq: seq, Hash: hash, MAC: headMAC(key, seq, hash)}
}

// readHead reads and checks a head file. It returns an error satisfying
// os.IsNotExist when there is none.
func readHead(path string, key []byte) (head, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return head{}, err
	}
	var h head
	if err := json.Unmarshal(b, &h); err != nil {
		return head{}, fmt.Errorf("head file %s is not valid: %v", path, err)
	}
	if !sameHash(h.MAC, headMAC(key, h.Seq, h.Hash)) {
		return head{}, fmt.Errorf("head file %s does not verify with this key: altered, or the wrong key", path)
	}
	return h, nil
}

// writeHead replaces the head file atomically: a reader, or the log after a
// crash, sees the old head or the new one, never a mixture. dir, when not
// nil, is synced so that the rename itself is durable and the head can lag
// the log by at most the one entry being appended when the machine stopped.
func writeHead(path string, h head, dir *os.File) error {
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write head: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil && dir != nil {
		err = dir.Sync()
	}
	if err != nil {
		return fmt.Errorf("write head %s: %w", path, err)
	}
	return nil
}

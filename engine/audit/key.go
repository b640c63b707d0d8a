package audit

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
)

// MinKeySize is the shortest key the log accepts. The key is what stops
// someone who can write the file from rewriting a consistent chain, so it
// must not be guessable.
const MinKeySize = 16

func checkKey(key []byte) error {
	if len(key) < MinKeySize {
		return fmt.Errorf("audit key is %d bytes; it must be at least %d (random bytes, e.g. from 'head -c 32 /dev/urandom | xxd -p -c 64')", len(key), MinKeySize)
	}
	return nil
}

// LoadKey reads a key file: hex digits (surrounding white space ignored), or
// else the raw bytes of the file. Keys shorter than MinKeySize are refused.
func LoadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read audit key: %w", err)
	}
	key := b
	if t := bytes.TrimSpace(b); len(t) > 0 && len(t)%2 == 0 {
		if d, err := hex.DecodeString(string(t)); err == nil {
			key = d
		}
	}
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("audit key file %s: %w", path, err)
	}
	return key, nil
}

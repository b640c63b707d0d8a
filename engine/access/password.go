package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// HashParams are the argon2id parameters for new password hashes. Each zero
// field takes its default. The defaults exceed OWASP's recommended minimum
// (19 MiB, 2 passes): about 50-100 ms and 64 MiB a login on a server core.
// Tests use tiny values to stay fast; production should not go below the
// defaults.
type HashParams struct {
	Time    uint32 // passes over memory; 0: 2
	Memory  uint32 // KiB; 0: 64 MiB
	Threads uint8  // lanes; 0: 1
}

const (
	defaultHashTime    = 2
	defaultHashMemory  = 64 * 1024
	defaultHashThreads = 1

	saltBytes = 16
	keyBytes  = 32

	// Bounds on the parameters a stored hash may name, so that a damaged
	// row cannot make a login take minutes or gigabytes.
	maxHashTime   = 64
	maxHashMemory = 4 * 1024 * 1024 // 4 GiB in KiB
)

func (p HashParams) withDefaults() HashParams {
	if p.Time == 0 {
		p.Time = defaultHashTime
	}
	if p.Memory == 0 {
		p.Memory = defaultHashMemory
	}
	if p.Threads == 0 {
		p.Threads = defaultHashThreads
	}
	return p
}

func (p HashParams) check() error {
	switch {
	case p.Time > maxHashTime:
		return fmt.Errorf("argon2id time %d is over %d", p.Time, maxHashTime)
	case p.Memory > maxHashMemory:
		return fmt.Errorf("argon2id memory %d KiB is over %d", p.Memory, maxHashMemory)
	case p.Memory < 8*uint32(p.Threads):
		return fmt.Errorf("argon2id memory %d KiB is under 8 KiB a thread (%d threads)", p.Memory, p.Threads)
	}
	return nil
}

// hashPassword returns the PHC string of an argon2id hash of password with
// a fresh random salt:
//
//	$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>
//
// salt and hash in unpadded standard base64, as the reference
// implementation writes them.
func hashPassword(password string, p HashParams) string {
	salt := make([]byte, saltBytes)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyBytes)
	return encodePHC(p, salt, key)
}

func encodePHC(p HashParams, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// decodePHC parses a PHC string that hashPassword wrote.
func decodePHC(s string) (HashParams, []byte, []byte, error) {
	var p HashParams
	f := strings.Split(s, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id PHC string")
	}
	if f[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("argon2 version %q, want v=%d", f[2], argon2.Version)
	}
	for kv := range strings.SplitSeq(f[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, fmt.Errorf("argon2id parameter %q: %w", kv, err)
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, fmt.Errorf("argon2id parameter %q: over 255", kv)
			}
			p.Threads = uint8(n)
		default:
			return p, nil, nil, fmt.Errorf("argon2id parameter %q: unknown", kv)
		}
	}
	if p.Time == 0 || p.Memory == 0 || p.Threads == 0 {
		return p, nil, nil, fmt.Errorf("argon2id parameters %q: need m, t and p, none zero", f[3])
	}
	if err := p.check(); err != nil {
		return p, nil, nil, err
	}
	salt, err := base64.RawStdEncoding.DecodeString(f[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, errors.New("argon2id salt is not 8 or more bytes of base64")
	}
	key, err := base64.RawStdEncoding.DecodeString(f[5])
	if err != nil || len(key) < 16 {
		return p, nil, nil, errors.New("argon2id hash is not 16 or more bytes of base64")
	}
	return p, salt, key, nil
}

// verifyPassword reports whether password matches the PHC string encoded,
// comparing in constant time, and the parameters the hash was made with.
func verifyPassword(encoded, password string) (bool, HashParams, error) {
	p, salt, want, err := decodePHC(encoded)
	if err != nil {
		return false, p, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, p, nil
}

// burnHash spends the time and memory of checking a password against a hash
// made with p, for a name that has none, so that a login for a name that
// does not exist takes as long as one for a name that does.
func burnHash(password string, p HashParams) {
	var salt [saltBytes]byte
	argon2.IDKey([]byte(password), salt[:], p.Time, p.Memory, p.Threads, keyBytes)
}

const (
	minPasswordChars = 12
	maxPasswordBytes = 1024 // argon2 takes any length; this only bounds the work an input can cause
)

// checkPasswordPolicy applies the password rules, which follow NCSC
// guidance: length rather than composition rules, any characters allowed
// (a passphrase is welcome), and none of the obvious.
func checkPasswordPolicy(name, password string) error {
	switch n := utf8.RuneCountInString(password); {
	case !utf8.ValidString(password):
		return invalid("password is not valid UTF-8")
	case n < minPasswordChars:
		return invalid("password has %d characters, at least %d are needed", n, minPasswordChars)
	case len(password) > maxPasswordBytes:
		return invalid("password is %d bytes, at most %d are allowed", len(password), maxPasswordBytes)
	}
	for _, r := range password {
		if unicode.IsControl(r) {
			return invalid("password contains a control character")
		}
	}
	if name != "" && strings.Contains(strings.ToLower(password), name) {
		return invalid("password contains the user name")
	}
	first, _ := utf8.DecodeRuneInString(password)
	if strings.Trim(password, string(first)) == "" {
		return invalid("password is one character repeated")
	}
	return nil
}

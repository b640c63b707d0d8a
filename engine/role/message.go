package role

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"anpr/engine/bus"
	"anpr/engine/store"
)

// ReadMessage is a read as it travels on the bus, from an edge to matchers
// and writers: JSON, with any images inline (base64). A bus message holds
// one ReadMessage, or several (an edge's ReadsPerMessage) as
// {"reads": [...]}.
type ReadMessage struct {
	// Read is the read, with the refs of its images set: where the edge
	// stored them, or where the writer will (Patch, Overview).
	Read store.Read `json:"read"`
	// Patch and Overview are the read's JPEG images when the edge sends
	// them inline; nil when it stored them itself.
	Patch    []byte `json:"patch,omitempty"`
	Overview []byte `json:"overview,omitempty"`
	// Ingested is when the edge took the read: where the ingest-to-stored
	// latency ([WriterStats.Lag]) starts.
	Ingested time.Time `json:"ingested"`
}

// readGroup is several reads in one message.
type readGroup struct {
	Reads []json.RawMessage `json:"reads"`
}

// MaxMessageSize bounds a read message, so that a message damaged or
// made up cannot make a consumer decode gigabytes: a read and two images
// of store.MaxImageSize, base64, with room to spare. (A NATS server takes
// messages up to its max_payload, 1 MiB unless configured: raise it where
// large images go inline.)
const MaxMessageSize = 12 << 20

// maxGroupBytes bounds the encoded reads an edge puts in one message of
// several, within NATS's default max_payload of 1 MiB.
const maxGroupBytes = 512 << 10

// DecodeReads decodes a bus message of one read or several and checks
// each (DecodeRead). It returns the good reads, in order, and an error for
// each bad one, saying what is wrong; a bad read will never be handled.
func DecodeReads(data []byte) ([]ReadMessage, []error) {
	if len(data) > MaxMessageSize {
		return nil, []error{fmt.Errorf("read message of %d bytes is over the limit of %d", len(data), MaxMessageSize)}
	}
	var g readGroup
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, []error{fmt.Errorf("not a read message: %w", err)}
	}
	if g.Reads == nil {
		m, err := DecodeRead(data)
		if err != nil {
			return nil, []error{err}
		}
		return []ReadMessage{m}, nil
	}
	var good []ReadMessage
	var bad []error
	for i, raw := range g.Reads {
		m, err := DecodeRead(raw)
		if err != nil {
			bad = append(bad, fmt.Errorf("read %d of the message: %w", i, err))
			continue
		}
		good = append(good, m)
	}
	return good, bad
}

// DecodeRead decodes one read (a ReadMessage) and checks its read
// (store.Read.Check) and that any inline image goes with its ref.
func DecodeRead(data []byte) (ReadMessage, error) {
	var m ReadMessage
	if len(data) > MaxMessageSize {
		return m, fmt.Errorf("read message of %d bytes is over the limit of %d", len(data), MaxMessageSize)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("not a read message: %w", err)
	}
	if err := m.Read.Check(); err != nil {
		return m, fmt.Errorf("read %q: %w", m.Read.ID, err)
	}
	for _, img := range []struct {
		name string
		data []byte
		ref  string
	}{{"patch", m.Patch, m.Read.PatchRef}, {"overview", m.Overview, m.Read.OverviewRef}} {
		if len(img.data) > 0 && img.ref != imageRef(img.data, m.Read.Captured) {
			return m, fmt.Errorf("read %q: the %s image sent does not go with its ref %q", m.Read.ID, img.name, img.ref)
		}
	}
	return m, nil
}

// imageRef is the ref store.Images.Put gives an image of a read captured
// at captured: the capture day and the SHA-256 of the bytes. An edge
// without an image store works it out to send with the image; the writer
// checks that Put agrees, and a test holds the two together.
func imageRef(jpeg []byte, captured time.Time) string {
	sum := sha256.Sum256(jpeg)
	return captured.UTC().Format("20060102") + "-" + hex.EncodeToString(sum[:])
}

// MessageID is the bus message ID of the read with ID readID: the read's
// ID itself, which is the usual case (a UUID or ULID). A bus message ID
// holds no spaces, which a read's may: there '%' and ' ' are escaped
// (%25, %20), which keeps distinct IDs distinct; and one that escaping
// makes too long is "%h" and its SHA-256, which no escaped ID can be.
func MessageID(readID string) string {
	if !strings.Contains(readID, "%") && bus.CheckID(readID) == nil {
		return readID
	}
	escaped := strings.NewReplacer("%", "%25", " ", "%20").Replace(readID)
	if bus.CheckID(escaped) == nil {
		return escaped
	}
	sum := sha256.Sum256([]byte(readID))
	return "%h" + hex.EncodeToString(sum[:])
}

// GroupID is the bus message ID of a message of several reads: "%g" and
// the SHA-256 of their IDs, in order. The same reads in the same order
// (a batch submitted again, or sent again from the spool) make the same
// ID, which the bus de-duplicates; no read's own MessageID starts "%g".
func GroupID(readIDs []string) string {
	h := sha256.New()
	for _, id := range readIDs {
		h.Write([]byte(id))
		h.Write([]byte{0}) // no control characters in a read's ID
	}
	return "%g" + hex.EncodeToString(h.Sum(nil))
}

// readSubject is the subject a read from camera goes on: reads.CAMERA,
// where the camera's ID can be a subject token, else reads.
func readSubject(camera string) string {
	if bus.CheckName("camera", camera) == nil {
		return bus.Reads + "." + camera
	}
	return bus.Reads
}

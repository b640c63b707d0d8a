// Package audit keeps the tamper-evident record of who did what with the
// ANPR system: every search of stored reads, every view of a read or its
// images, every alert decision, every hotlist, user or camera change, every
// export, every login and every attempt that was refused.
//
// The log is a file of JSON lines, one [Entry] per line, appended and
// fsync'd one at a time so that nothing [Log.Append] has acknowledged is
// lost. Entries are numbered 1, 2, 3... and chained: each carries the hash of
// the entry before it (the first carries [Genesis]), and its own hash is an
// HMAC-SHA256, under a key the file's readers need not hold, of all its other
// fields. Someone who can write the file but does not hold the key can
// therefore not change, remove, reorder or insert entries without [Verify]
// naming the line. Cutting entries off the end leaves a consistent chain, so a
// small head file beside the log (PATH.head) records the last entry's number
// and hash, also under the key, and Verify compares the two.
//
// A line of the log, wrapped here:
//
//	{"seq":17,"time":"2026-03-02T09:15:00Z","actor":"pc1234","role":"investigator",
//	 "action":"search","target":"vrm=AB12CDE","outcome":"allowed",
//	 "detail":{"incident":"INC-2026-0301-17","justification":"stolen vehicle"},
//	 "prev":"<hash of entry 16>","hash":"<64 hex digits>"}
//
// The hash covers a canonical encoding, not the JSON text: a version tag,
// then every field but the hash as length-prefixed strings (the time as
// RFC 3339 in UTC to the nanosecond, Detail in key order, Prev last). The
// head file is one JSON object, {"seq":17,"hash":"...","mac":"..."}, its MAC
// taken under the same key with a different tag.
//
// The head is only as trustworthy as the disk it is on: someone who saved an
// old head file can cut the log back to it unseen. Sending the head's hash
// off the machine from time to time closes that gap.
//
// If Append returns an error the action it records has not been audited, and
// the caller must not carry it out: no audit, no access.
package audit

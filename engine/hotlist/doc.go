// Package hotlist holds the lists of vehicles of interest (hotlists) and
// matches every read against them at once: the instant check at the heart
// of police ANPR.
//
// Lists come from CSV or JSON files (see Format): each row a mark, its
// source list (PNC, DVLA, insurance, local), a marker (stolen, firearms,
// no-insurance...), a priority, advice for the operator, the dates it was
// added and expires, and its owner's reference. Hotlists keeps many named
// lists at once; each load of one builds a new version beside the one in
// force and swaps it in atomically, by API (Load, LoadFile) or when the file
// changes (Watch), while matching goes on. Bad rows are rejected with their
// file, line and reason and the rest load; a file mostly bad is refused
// whole and the previous version stays. Every load's LoadReport goes to
// Options.OnLoad, the seam for the audit log.
//
// A read hits an entry (Match) exactly; by confusion, when it differs from
// the listed mark only where readers mistake one character for another
// (8/B, 0/O, 5/S..., from the confusion model of engine/vrm, which is data);
// or, for high-priority entries only, one character substituted, missing
// or extra away. Entries expired when the read was made never hit. Each Hit
// says how it matched and lists the differences, so that the operator can
// judge a possible misread.
//
// A read costs one or two trips to memory however long the lists: entries
// are grouped by their mark with every character folded to its confusion
// class, so exact and confusion candidates sit in one block, a cache line
// that also tells most reads of no listed vehicle that they match nothing.
// An entry takes about 46 bytes, owner reference included unless it is
// longer than 18 bytes.
//
// CloneDetector is a separate check on reads: the same mark at two cameras
// sooner apart than any one vehicle could travel between them. It works in
// configured least travel times only and never in speeds.
package hotlist

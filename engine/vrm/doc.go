// Package vrm parses, validates, normalises and formats UK vehicle
// registration marks (VRMs) in every format on the road, and ranks the valid
// marks an optical reader may have meant when it misread one.
//
// The formats, their precedence and their dates:
//
//   - Current (since September 2001), "AB12 CDE": a two-letter memory tag
//     (never I, Q or Z), a two-digit age identifier and three random letters
//     (never I or Q). March to August registrations carry the year's last two
//     digits (02 to 50), September to February the year plus 50 (51 is
//     September 2001 ... 99 September 2049, then 00 September 2050); 01 was
//     never issued.
//   - Prefix (August 1983 to August 2001), "A123 BCD": a year letter, 1 to 3
//     digits and three letters.
//   - Suffix (1963 to July 1983), "ABC 123D": three letters, 1 to 3 digits and
//     a year letter.
//   - Q plate, "Q123 ABC": the prefix shape with Q in place of the year letter,
//     for vehicles of uncertain identity; it implies no date.
//   - Northern Ireland, "ABZ 1234": 1 to 3 letters, at least one of them I or
//     Z, then 1 to 4 digits; no date.
//   - Dateless, "ABC 123" or "1234 AB": 1 to 3 letters and 1 to 4 digits in
//     either order; no date.
//
// The letter-digit shape of a mark decides its format, so a mark has exactly
// one. The shapes overlap in two places only: a letters-then-digits mark is
// Northern Irish when its letters hold I or Z and dateless otherwise, and the
// prefix shape is a Q plate when it starts with Q (Q is never a year letter).
//
// Year letters exclude I, O, Q, U and Z. The three letters of prefix, suffix
// and Q plate marks (a serial letter and a two-letter area code) and the
// letters of dateless marks never hold I, Q or Z: I and Z were Irish codes and
// Q is kept for Q plates. Digit groups other than the age identifier never
// start with 0 (numbers ran from 1). No mark is longer than 7 characters.
//
// Whether an age identifier or year letter has been issued yet depends on the
// date the mark is checked against (asOf in Parse, Generate and Candidates);
// a zero asOf skips that check.
//
// The confusions a reader makes (0 for O, 8 for B...) are data, loaded with
// LoadConfusions or taken from the embedded default, DefaultConfusions.
package vrm

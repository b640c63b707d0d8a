// Package access decides who may use the ANPR system and for what: the
// lawful-use rules of UK police ANPR, enforced in code rather than left to
// training and good intentions.
//
// # Roles
//
// Every person has exactly one [Role], and what a role may do is a fixed
// table ([Role.Can]); anything the table does not grant is refused. The
// roles are split so that no one person both wants a search and allows it,
// and no one who runs the system can browse what it has captured:
//
//   - An operator watches live alerts and acts on them; they never browse
//     stored reads.
//   - An investigator searches stored reads, each search with a stated
//     justification and an incident or crime reference, back to 90 days.
//   - A senior authoriser approves an investigator's search of reads 90 days
//     to 12 months old, and only for a serious crime ([SeriousCrimes]).
//   - An auditor reads the audit log and nothing else.
//   - An administrator manages users, cameras and hotlists, and sees no
//     reads (alerts carry reads, so no alerts either).
//   - Ingest is for machines (API tokens, not people): a camera or a site
//     controller that posts reads, and does nothing else.
//
// Camera locations are restricted ([SeeCameraLocations]) because, joined
// with reads, they tell where a vehicle was. Operators see them (they send
// officers to the place a hotlisted vehicle was seen), investigators (where
// a read was taken is its evidential value), senior authorisers (to judge
// whether a search's intrusion is proportionate) and administrators (who
// site the cameras). Auditors check who did what, for which they need
// camera IDs, not places; ingest machines know which camera they are.
//
// # Logins, sessions and tokens
//
// A [Directory] holds users, sessions, machine tokens and search approvals
// in one SQLite file of its own. Passwords are stored as argon2id hashes in
// the PHC string format, salt and parameters with them, so the parameters
// can be raised later: a hash made with older ones is replaced at the next
// successful login. Session and token secrets are 256 random bits, and only
// their SHA-256 is stored, so a copy of the file lets no one in.
//
// [Directory.Login] gives the same error, [ErrBadCredentials], for a wrong
// name, a wrong password and a disabled account, and takes as long over
// each, so that it tells an outsider nothing about which names exist.
// Failed logins are counted per name and per client address in a sliding
// window ([Options.LoginFailures], [Options.LoginWindow]) and beyond the
// limit refused with a [RateLimitError] saying how long to wait. The counts
// are kept in memory: a restart forgets them, which costs an attacker a
// restart they cannot cause.
//
// A session ends after [Options.SessionIdle] unused or [Options.SessionMax]
// after login, whichever comes first, at logout, and when the user's
// password is changed or the user disabled. Its CSRF secret is derived from
// its token, so nothing more is stored and the browser can be given the
// CSRF secret without being able to work back to the session token. Setting
// the cookie is the HTTP layer's job: HttpOnly, Secure, SameSite=Strict.
//
// # Searches
//
// [Directory.CheckSearch] applies the rules to a search of stored reads
// before it runs: who may search, why (justification and reference), and
// how far back ([Options.ApprovalAge], [Options.ReadRetention]); a search
// reaching further back than ApprovalAge needs an [Approval] that a senior
// authoriser granted through [Directory.DecideApproval]. A refusal is a
// [*PolicyError] saying which rule refused it and why.
//
// The package decides; it does not record. The caller writes the audit log
// (package audit): a login or failed login, every search allowed or denied,
// every user, token and approval change. Where an audit entry cannot be
// written the action must not go ahead.
package access

// Package alert turns hotlist hits and suspected clones into alerts for
// control-room operators, records what the operators decide and what came
// of it, pushes every change live to whoever is watching, and escalates an
// alert nobody has picked up in time.
//
// An alert carries everything an operator needs to judge it: the read that
// raised it (camera, mark, confidence, capture time, and references to the
// plate patch and overview images), and either the hotlist hit (the list
// entry with its marker, priority and action advice, how the read matched
// it and where it differs) or the clone alert (the two sightings and the
// least travel time between the cameras). Raise makes one alert per hit,
// so that each listed vehicle gets its own decision: a read that hits a PNC
// entry exactly and a local entry by confusion may be a deployment on one
// and a misread on the other. The alerts of one read share Read.ID, for a
// display that groups them.
//
// An alert goes through these states:
//
//	new ──Acknowledge──▶ acknowledged
//	new or acknowledged ──Decide: deploy──▶ decided ──RecordOutcome──▶ closed
//	new or acknowledged ──Decide: misread, not-vehicle or no-action──▶ closed
//
// A decision is made once: misread (the plate was not read right), not the
// vehicle (read right, but not the listed vehicle), no action (with a
// reason), or deploy (to a named resource). Only a deployment waits for an
// outcome (stopped, arrest, nothing found, not located); every other
// decision closes the alert. Doing things out of turn (deciding twice, an
// outcome without a deployment) fails with ErrConflict, and the alert stays
// as it was. Raising is idempotent: an alert's ID comes from the read's ID
// and what it hit, so a read delivered twice raises its alerts once.
//
// An alert still new Options.EscalateAfter after it was raised is escalated,
// once: it is marked, and subscribers get an "escalated" event so that a
// supervisor sees it. Service.Run does that in the background, and deletes
// alerts older than Options.Keep, if set; a repository records each
// deletion.
//
// Alerts are kept by a Repository (engine/store/sqlite is one; the suite in
// alert/alerttest says what every one must do), which also counts them for
// Stats: per camera, per source list, per kind and per match kind, how
// many were misreads and how many were deployed to. Nothing here works out,
// keeps or shows a speed.
package alert

// Package role holds the parts one binary plays when the back office is
// spread over machines on a bus (NATS JetStream, package
// anpr/engine/bus/jetstream) and a shared database (PostgreSQL, package
// anpr/engine/store/postgres):
//
//   - an [Edge] takes reads from cameras and publishes each to the bus's
//     reads stream, through a spool on local disk that keeps them while
//     the bus is away;
//   - a [Matcher] consumes the reads, matches them against the hotlists,
//     raises alerts into the shared alert repository and publishes each
//     to the alerts stream, for consoles;
//   - a [Writer] consumes the reads and stores them in batches, each one
//     transaction (a COPY, on PostgreSQL).
//
// Embedded, one process does all of this in one call (engine/ingest); the
// roles are the same steps with the bus between them. Each takes a plain
// configuration struct, runs until its context ends ([Edge.Run],
// [Matcher.Run], [Writer.Run]) and then shuts down cleanly: a batch in
// hand is finished (within a grace period) and acknowledged, or left on
// the bus for another process.
//
// # Delivery
//
// Delivery is at least once, and every step is idempotent, so that a
// read is handled once in effect however often it comes:
//
//   - The edge publishes a read as one message whose ID is the read's ID
//     ([MessageID]), so that the bus drops a repeat (an edge retrying after
//     a lost acknowledgement, its spool sending again after a crash)
//     within its de-duplication window. Submit returns once every read is
//     held, by the bus or on the edge's disk, synced; a batch goes to the
//     bus with a window of publishes in flight rather than one round trip
//     a read (bus.BatchPublisher).
//   - An edge may put several reads of one Submit call in a message
//     ([EdgeConfig.ReadsPerMessage]), which costs the bus and every
//     consumer one message's work for them all. The message's ID comes
//     from its reads' IDs in order ([GroupID]), so the bus still drops a
//     batch submitted or spooled again as it was; the same reads grouped
//     otherwise reach the consumers again, and are stored and matched once
//     because the consumers are idempotent, as below. A bad read in such
//     a message is dropped alone.
//   - The writer acknowledges a batch only after the transaction that
//     stores it has committed; a batch delivered again (the writer died
//     between commit and acknowledgement) is skipped read by read, since
//     the store is idempotent on the read's ID.
//   - The matcher acknowledges a batch only after its alerts are stored
//     and published. An alert's ID comes from its read's ID and what it
//     hit, so a read matched again raises nothing new; its alerts are
//     published again, with the alert's ID as the message ID, and the bus
//     drops those repeats within its window. Beyond the window (a matcher
//     down for longer) a console can get an alert event twice, and keys
//     alerts by ID.
//
// A message that can never be handled (not a read message, or a read that
// fails its checks) is logged, counted ([WriterStats.Rejected],
// [MatcherStats.Rejected]) and acknowledged, so that it does not come
// round for ever and hold up the rest.
//
// # Images
//
// An edge with an image store of its own (Images, a shared file system)
// puts each read's images there and sends their refs. Without one, it
// sends the images inline, with the refs they will have, and the writer
// puts them in its image store before it stores the read, so that a
// stored read never names an image that is not there. Alerts carry the
// refs either way.
//
// # Hotlists
//
// Every matcher matches against the same lists: a new version is
// published once on the bus ([PublishHotlist]; a JetStream object store)
// and each matcher's [HotlistReplica] loads it and swaps it in
// atomically, as a local load does. A matcher started with
// [MatcherConfig.WaitFor] set to the replica's Ready matches nothing until
// the lists published before it started are in force.
//
// # Clones
//
// The clone check (hotlist.CloneDetector) remembers the last sighting of
// each mark in memory. Matchers sharing one durable consumer each see only
// their share of the reads, so each would miss the clones whose two
// sightings went to the other: give Clones to one matcher process only, or
// none.
package role

// Package siting measures where ANPR cameras are put: for a set of camera
// sites over simulated traffic, what share of the journeys of vehicles of
// interest they see, how much they intrude on everyone else, what each
// site adds, and what alerts and operator work they make; it compares a
// proposed set against the current one and suggests sites to add.
//
// Police place ANPR cameras only after an assessment that each site is
// necessary, proportionate and meets a pressing need, and review them so
// that they continue to be (docs/uk-anpr-facts.md, "Siting
// proportionality"). No published scoring exists; the measures here are
// those transport research uses for locating plate scanners (the share of
// origin-destination flows intercepted) with intrusion on people who are
// not of interest beside them. They inform that judgement; they do not
// make it.
//
// # Recording traffic once
//
// Record runs a sim/traffic simulation over a window once per seed and
// keeps every trip: its vehicle (behaviour, and how a correct read of its
// mark stands against the simulation's hotlist) and its route. A site is
// one camera on one direction of one link, and it sees every trip whose
// route holds the link, so every measure of every set of sites is then
// arithmetic on the recorded routes and sets of vehicles, with no new
// simulation: a county day records in about the time the simulator takes
// to plan it, and a set of sites evaluates in tens of milliseconds.
// Recordings can also be made by hand (NewRecording, AddTrip), as the
// tests do on networks small enough to check by hand.
//
// # Sites files
//
// A sites file lists camera sites (or candidate sites for Optimise):
//
//	{
//	  "format": "anpr-sites/1",
//	  "network": "staffordshire",
//	  "notes": ["free text"],
//	  "sites": [
//	    {"id": "S01", "name": "A5 inbound", "from": "ext-brownhills", "to": "norton-canes",
//	     "end_of_life": "2026-09-30"},
//	    {"id": "S02", "link": 57, "cost": 2}
//	  ]
//	}
//
// A site has a unique id (no white space) and a place: the link's end
// nodes ("from", "to": node ids of the network file), or its number in the
// network ("link"), or both, which must agree. "end_of_life" (YYYY-MM-DD)
// is when the camera is due for replacement; "cost" (default 1) is what
// the optimiser's budget counts; "name" and "note" are free text.
// "network", when given, must be the network's name, since link numbers
// and node ids belong to one network. Any other member is refused, so
// that a misspelt one is not silently ignored; every fault names the file,
// the line, the site and what is wrong (a *traffic.InputError).
//
// # Proposals
//
// A proposal file lists changes to the current sites, applied in order:
//
//	{
//	  "format": "anpr-siting-proposal/1",
//	  "network": "staffordshire",
//	  "name": "2026 review",
//	  "changes": [
//	    {"op": "add", "site": {"id": "N01", "from": "etruria", "to": "porthill"}},
//	    {"op": "remove", "id": "S07"},
//	    {"op": "move", "id": "S14", "from": "etruria", "to": "a500-stoke"},
//	    {"op": "replace", "id": "S01", "end_of_life": "2033-09-30"},
//	    {"op": "replace", "id": "S02", "link": 12, "end_of_life": "2033-09-30"}
//	  ]
//	}
//
// add puts a new site in place; remove takes one away; move puts a site
// on another link, keeping its id and end of life; replace puts a new
// camera in at the end of a site's life, with its new end of life, where
// it is or (given a place) elsewhere. RetireDue makes the proposal that
// removes every site due by a date and replaces none: what is lost if the
// cameras due are not replaced, on which the case for replacing each
// rests. Compare sets the two sets side by side, measure by measure.
//
// # Measures
//
// Each measure is worked out per seed (one simulated day of a different
// fleet, vehicles of interest and trips) and reported as the mean over
// seeds with a 95% Student t interval (Estimate). "Target" means a vehicle
// of interest (any traffic.Behaviour but Ordinary); a trip is "seen" by
// every site on its route; counts "a day" divide by the days simulated;
// "distinct vehicles a day" count each vehicle once a day.
//
// Target capture, for all targets and by kind (uninsured, travelling
// criminal, night runner, stolen, clone):
//   - capture.K.one, capture.K.two: the share of target trips seen by at
//     least one, at least two cameras (two give direction and route);
//   - capture.K.alerted: the expected share raising at least one alert,
//     1-(1-h)^c for a trip past c cameras with a hit chance h per read
//     (ReadModel);
//   - capture.target_vehicles_share, _per_day: vehicles of interest seen
//     in a day, as a share of those on the road and a count.
//
// Intrusion:
//   - intrusion.innocent_reads_per_day: reads of innocent vehicles, one per
//     camera passed;
//   - intrusion.innocent_vehicles_per_day, intrusion.innocent_share:
//     distinct innocent vehicles recorded a day, and as a share of those on
//     the road;
//   - intrusion.reads_per_target_trip: innocent reads per target trip seen.
//
// Alerts, expected a day under the ReadModel (each read that hits is one
// alert): alerts.true_per_day (reads of vehicles of interest that hit),
// alerts.clone_twin_per_day (reads of the innocent twins of clones, whose
// mark is listed), alerts.misread_per_day (reads of innocent vehicles one
// confusable character from a listed mark: the false alerts that matching
// allowing for misreads costs, and misreads onto a listed mark),
// alerts.false_per_day, alerts.total_per_day, alerts.false_share,
// alerts.missed_target_reads_per_day (reads of targets raising no alert)
// and alerts.operator_hours_per_day (alerts times minutes per alert). The
// hotlist's prevalence is the simulation's (traffic.InterestConfig: the
// share of vehicles of interest and the near-miss marks listed).
//
// Proportionality: proportionality.targets_per_1000_innocent, vehicles of
// interest recorded per 1,000 innocent vehicles recorded (distinct, a
// day), beside proportionality.road_per_1000_innocent, the same ratio for
// everything on the road (what cameras seeing every vehicle would get):
// sites above it are where vehicles of interest travel more than others.
// ProportionalityStatement says what they mean and do not: they compare
// sets of sites on the same simulated traffic; they are not rates on real
// roads, and no figure is proportionate by itself.
//
// Per site: reads, target trips and vehicles seen, innocent vehicles
// recorded; necessity (target trips a day no other site sees: the capture
// lost without it, also as a share of the network's); duplication (the
// share of its captures, all vehicles, another site repeats, and the site
// that repeats most), flagged at Options.DuplicationFlag; the vehicles of
// interest and innocent vehicles seen only there, and their ratio per
// 1,000 (the marginal proportionality: what removing the site trades);
// its alerts and false alerts; its end of life, flagged when due by
// Options.AsOf.
//
// Gaps: the target trips no camera sees, by origin and destination
// (district, or zone with locations), largest first, with their kinds.
//
// # Camera locations
//
// Camera locations are not disclosed. A report names sites by id and
// district and lists gaps by district; only Options.WithLocations (the
// command's --with-locations) adds each site's link, end nodes and name,
// and gaps by zone, for output that stays with those entitled to know
// where the cameras are. The sample sites in fixtures/sites are invented.
//
// # Optimising
//
// Optimise chooses sites from candidates by lazy greedy search on target
// capture, a submodular coverage function, under a budget or a limit on
// innocent vehicles recorded; see its documentation.
//
// # Speed
//
// BenchmarkCountyDay records a county day (600,000 trips) and evaluates
// the 16 sample sites on it; BenchmarkOptimise chooses 20 of 268
// candidates on the default network and of 1,000 on a synthetic grid:
//
//	go test -run '^$' -bench 'CountyDay|Optimise' -benchtime 3x ./sim/siting/
package siting

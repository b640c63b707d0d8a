// Package planner is the camera-siting planner without its window: it
// draws a road network, its traffic and its camera sites onto plain
// images, turns pointer and key events into changes to a proposed set of
// sites, measures the proposal against the current sites live (with
// sim/siting), and writes the decision records. cmd/anpr-planner puts it
// in an ebiten window; everything here runs, and is tested, without a
// display.
//
// # What is drawn
//
// A Projection fits the network's plane coordinates (traffic.Node X and
// Y) into the map area of a Layout, north up, keeping the aspect ratio.
// Each link is drawn on its own side of the road (the left, as traffic
// drives in the UK), so that the two directions of a road are separate
// places to click and a camera watching one is drawn on its carriageway.
// Roads are drawn by class; under them a heat map of the trips of vehicles
// of interest, by default their gaps (the target trips a day on each link
// that no camera sees anywhere on their route), or the share of them seen;
// over them the camera sites, each an arrow along the direction it watches
// and its link drawn in the site's colour (what it sees); the selected
// site's catchment (where the trips it sees travel) on request.
//
// Flow is shown moving: dots travel along each link, as many passing a
// point each second as the link carries vehicles a day (times one
// constant for the whole map), from the same recorded day the measures
// use.
//
// # Traffic
//
// siting.Recording keeps the trips the measures need and nothing a map
// can draw from, so the planner records the same simulated day a second
// time as a Traffic (each route with its trips by behaviour); a Sim run
// depends only on the Sim and its window, so the two are of the same
// trips. RecordDay makes both at once.
//
// # Records
//
// WriteRecords writes the decision record (a Markdown report with the
// comparison tables, the map as PNG, the proposal and the proposed sites
// as files anpr siting reads) and the public summary, whose locations are
// generalised to district: sites counted by district and the network's
// measures, with no map, no site ids, no roads, no places. Camera
// locations are not disclosed.
package planner

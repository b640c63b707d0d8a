// Package traffic simulates road traffic on a road network, so that the
// ANPR engine can be proven against vehicles whose every movement is known:
// which vehicle, carrying which plates, drove which link, when.
//
// # Road networks
//
// A Network is nodes (towns, junctions, entry points on the county
// boundary) and the directed links between them, each with its road, class
// (motorway, trunk, A-road, minor), speed limit, lanes, length and
// capacity. A speed limit sets a link's free-flow time, which routes and
// the simulated clock are made of, and nothing else: nothing in the engine
// ever sees a speed. Graph gives the network as a gonum graph.
//
// LoadNetworkFile reads the project's own JSON format, in which the
// default network, fixtures/networks/staffordshire.json, is written:
//
//	{
//	  "format": "anpr-road-network/1",
//	  "name": "staffordshire",
//	  "notes": ["free text"],
//	  "nodes": [
//	    {"id": "stafford", "name": "Stafford", "lat": 52.8066, "lon": -2.1171,
//	     "district": "Stafford", "population": 70000},
//	    {"id": "m6-j13", "name": "M6 J13 (Dunston, A449)", "lat": 52.764, "lon": -2.119,
//	     "district": "Stafford"},
//	    {"id": "ext-m6-north", "name": "M6 north (J17 Sandbach, Cheshire)", "lat": 53.148,
//	     "lon": -2.369, "district": "outside county", "entry": true, "population": 500000}
//	  ],
//	  "roads": [
//	    {"ref": "M6", "class": "motorway", "lanes": 4, "route": ["m6-j13", "m6-j14", "m6-j15"]},
//	    {"ref": "A449", "class": "a-road", "speed_mph": 40, "route": ["m6-j13", "stafford"]}
//	  ]
//	}
//
// A node has a unique id, a name, WGS84 lat and lon, and its local
// authority district (or "outside county"), because camera sites are
// published by district only. A node with a population is a zone: traffic
// starts and ends there in proportion to it. An entry node stands for
// everything beyond the boundary on its road.
//
// A road is a stretch with the same attributes throughout, given as the
// nodes it passes; each pair of consecutive nodes becomes a link each way
// (one, from the first to the second, with "oneway": true). "class" is
// motorway, trunk, a-road or minor. The rest is optional, with defaults by
// class: "dual" (motorways are dual, others single unless it is true);
// "speed_mph" (national limits: 70 on motorways and dual carriageways, 60
// on single ones; give 30 or 40 in towns); "lanes" each way (3 motorway, 2
// dual, 1 single); "capacity_vph" each way (2000 a lane on motorways, 1800
// dual, 1100 single, 800 at 40 mph or less); "winding", the factor between
// the great-circle distance of two nodes and the road's length (1.05
// motorway, 1.1 dual, 1.2 single, 1.25 in towns); "lengths_km", one per
// pair of nodes, to give lengths outright (0 keeps the computed one);
// "toll" for toll roads. A "note" may be added to any node or road. Any
// other member is refused, so that a misspelt one is not silently ignored.
//
// LoadTNTP reads networks in the TNTP format of the Transportation Networks
// collection (Sioux Falls, Birmingham): links, node coordinates and a trips
// matrix; TNTPOptions gives the units, which the format leaves to each
// network's notes.
//
// Bad input is refused with an *InputError naming the file, the line and,
// for JSON, the path (roads[3] (A34).route[2]) and what is wrong; a link
// to a node that does not exist is refused, and so is a network in which
// some node cannot reach or be reached from the rest.
//
// # Routes and demand
//
// A Router finds routes of least generalised cost with Dijkstra's
// algorithm over a compact adjacency, keeping each origin's shortest-path
// tree: free-flow time, plus, for drivers who weigh tolls, the toll as
// time. Demand is the trips of a day between zones: the network's own
// trips matrix (TNTP) or, where there is none, a gravity model (trips
// between two zones proportional to the product of their populations times
// a deterrence function of the time between them, scaled to the day's
// total), spread over the hours of the day by a Profile (WeekdayProfile:
// morning and evening peaks, a night trough).
//
// # Vehicles
//
// The fleet is made from a seed. Each vehicle has front and rear plates
// whose marks are drawn by engine/vrm's generator in the real mix of
// formats (mostly current marks of every age, some prefix, suffix,
// dateless, Northern Irish and Q plates, and a few foreign ones), unique
// but for clones. A configurable share of vehicles is of interest, each
// with a Behaviour: uninsured or untaxed vehicles that travel like any
// other, travelling criminals based beyond the boundary who come into the
// county, night runners who travel only between midnight and 5 am, stolen
// vehicles, and clones that carry the mark of an innocent vehicle
// elsewhere. The simulation's hotlist (WriteHotlist, in the CSV format
// engine/hotlist loads) lists them with the markers of
// engine/hotlist/data/markers.txt, and also marks that no vehicle carries
// and marks one confusable character away from innocent vehicles' marks,
// so that missed and false alerts can both be measured. Listings keeps the
// truth of every entry.
//
// # Running
//
// Run and RunWith simulate a window of time: each day's trips depart at
// times drawn from the profile, each takes a vehicle parked at its origin
// (which is left parked at its destination, so that a vehicle makes
// several trips a day and never jumps from place to place), and drives its
// route at free-flow speed times a factor of its own. What a run reports
// is the stream of passages (vehicle, link, entry and exit time) in time
// order: what camera sites on links observe. Asking only for the links
// cameras are on is much faster than asking for every passage. A Clock
// follows simulated time for components that read it.
//
// One weekday on the default network (600,000 trips, 4.3 million passages)
// simulates in a few seconds on one core; see BenchmarkCountyDay.
package traffic

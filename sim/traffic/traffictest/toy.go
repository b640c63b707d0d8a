// Package traffictest gives tests a small road network whose links they
// can name by number.
package traffictest

import (
	"testing"

	"anpr/sim/traffic"
)

// ToyNetworkJSON is a line a-b-c-d running east with a branch b-e to the
// north. Its links, in the order the loader makes them: 0 a→b, 1 b→a,
// 2 b→c, 3 c→b, 4 c→d, 5 d→c, 6 b→e, 7 e→b. a and b are in district
// North, the rest in South.
const ToyNetworkJSON = `{
  "format": "anpr-road-network/1",
  "name": "toy",
  "nodes": [
    {"id": "a", "name": "Aston", "lat": 52.00, "lon": -2.00, "district": "North", "population": 1000},
    {"id": "b", "name": "Barton", "lat": 52.00, "lon": -1.98, "district": "North", "population": 1000},
    {"id": "c", "name": "Colton", "lat": 52.00, "lon": -1.96, "district": "South", "population": 1000},
    {"id": "d", "name": "Dunston", "lat": 52.00, "lon": -1.94, "district": "South", "population": 1000},
    {"id": "e", "name": "Enville", "lat": 52.02, "lon": -1.98, "district": "South", "population": 1000}
  ],
  "roads": [
    {"ref": "R1", "class": "a-road", "route": ["a", "b", "c", "d"]},
    {"ref": "R2", "class": "minor", "route": ["b", "e"]}
  ]
}`

// Toy returns the network of ToyNetworkJSON.
func Toy(t testing.TB) *traffic.Network {
	t.Helper()
	net, err := traffic.ParseNetwork("toy.json", []byte(ToyNetworkJSON))
	if err != nil {
		t.Fatal(err)
	}
	return net
}

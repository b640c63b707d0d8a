package traffic

import "math"

// earthRadius is the mean radius of the Earth in metres.
const earthRadius = 6371008.8

// metresPerMile converts speed limits and TNTP lengths.
const metresPerMile = 1609.344

// GreatCircle returns the distance in metres between two points given in
// degrees, by the haversine formula.
func GreatCircle(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(a)))
}

// project sets X and Y of nodes with coordinates to metres east and north
// of their mean position on an equirectangular plane, which is exact to a
// fraction of a percent across a county.
func project(nodes []Node) {
	if len(nodes) == 0 {
		return
	}
	var lat0, lon0 float64
	for _, n := range nodes {
		lat0 += n.Lat
		lon0 += n.Lon
	}
	lat0 /= float64(len(nodes))
	lon0 /= float64(len(nodes))
	const rad = math.Pi / 180
	k := math.Cos(lat0 * rad)
	for i := range nodes {
		nodes[i].X = earthRadius * (nodes[i].Lon - lon0) * rad * k
		nodes[i].Y = earthRadius * (nodes[i].Lat - lat0) * rad
	}
}

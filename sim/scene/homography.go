package scene

import (
	"image/color"
	"math"
)

// colorTransparent is the border a warp leaves outside the plate.
var colorTransparent = color.RGBA{}

// homographyMap is a 3x3 projective map between two planes.
type homographyMap [9]float64

// homography solves for the map taking the four points src to dst.
func homography(src [4][2]float64, dst [][2]float64) homographyMap {
	// Eight equations in eight unknowns (h33 = 1), solved by Gaussian
	// elimination with partial pivoting.
	var a [8][9]float64
	for i := 0; i < 4; i++ {
		x, y := src[i][0], src[i][1]
		u, v := dst[i][0], dst[i][1]
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for col := 0; col < 8; col++ {
		pivot := col
		for r := col + 1; r < 8; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[pivot][col]) {
				pivot = r
			}
		}
		a[col], a[pivot] = a[pivot], a[col]
		if math.Abs(a[col][col]) < 1e-12 {
			return homographyMap{1, 0, 0, 0, 1, 0, 0, 0, 1}
		}
		for r := 0; r < 8; r++ {
			if r == col {
				continue
			}
			k := a[r][col] / a[col][col]
			for c := col; c < 9; c++ {
				a[r][c] -= k * a[col][c]
			}
		}
	}
	var h homographyMap
	for i := 0; i < 8; i++ {
		h[i] = a[i][8] / a[i][i]
	}
	h[8] = 1
	return h
}

func (h homographyMap) apply(x, y float64) (float64, float64) {
	w := h[6]*x + h[7]*y + h[8]
	return (h[0]*x + h[1]*y + h[2]) / w, (h[3]*x + h[4]*y + h[5]) / w
}

// nearlyAffine reports whether the affine map fixed by the first three
// corners puts the fourth within tol pixels of where the perspective map
// puts it; inside the quadrilateral the error is smaller still.
func nearlyAffine(src [4][2]float64, dst [][2]float64, tol float64) bool {
	// For a parallelogram-preserving map, d3 = d0 + (d2 - d1) when
	// s3 = s0 + (s2 - s1), as the plate's rectangle corners are.
	x := dst[0][0] + dst[2][0] - dst[1][0]
	y := dst[0][1] + dst[2][1] - dst[1][1]
	return math.Hypot(x-dst[3][0], y-dst[3][1]) <= tol
}

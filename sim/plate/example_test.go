package plate_test

import (
	"fmt"
	"math/rand/v2"

	"anpr/sim/plate"
)

func ExampleRenderer_Render() {
	r, err := plate.NewRenderer()
	if err != nil {
		panic(err)
	}
	spec := plate.Spec{Text: "AB12 CDE", Side: plate.Rear}
	p, err := r.Render(spec, 1, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		panic(err)
	}
	fmt.Println("plate:", p.Image.Bounds().Size())
	for _, c := range p.Chars {
		fmt.Printf("%c %v\n", c.Char, c.Box)
	}
	// Output:
	// plate: (520,111)
	// A (53,16)-(103,95)
	// B (114,16)-(164,95)
	// 1 (175,16)-(201,95)
	// 2 (212,16)-(262,95)
	// C (295,16)-(345,95)
	// D (356,16)-(406,95)
	// E (417,16)-(467,95)
}

package vrm_test

import (
	"fmt"
	"time"

	"anpr/engine/vrm"
)

func ExampleParse() {
	asOf := time.Date(2026, time.November, 25, 0, 0, 0, 0, time.UTC)
	for _, raw := range []string{"ab13 cde", "A123 BCD", "ABZ 1234", "AB01 CDE", "AB77 CDE"} {
		m, err := vrm.Parse(raw, asOf)
		if err != nil {
			fmt.Printf("%s: invalid: %v\n", raw, err)
			continue
		}
		fmt.Printf("%s: %s %s %s\n", raw, m.Display, m.Format, m.Period)
	}
	// Output:
	// ab13 cde: AB13 CDE current 2013-03-01 to 2013-08-31
	// A123 BCD: A123 BCD prefix 1983-08-01 to 1984-07-31
	// ABZ 1234: ABZ 1234 northern-ireland none
	// AB01 CDE: invalid: age identifier 01 was never issued
	// AB77 CDE: invalid: age identifier 77 is from the future on 2026-11-25
}

func ExampleConfusionModel_Candidates() {
	asOf := time.Date(2026, time.November, 25, 0, 0, 0, 0, time.UTC)
	for _, c := range vrm.DefaultConfusions().Candidates("0U13RXF", asOf, 3) {
		fmt.Println(c.Mark.Display, c.Mark.Format, c.Substitutions)
	}
	// Output:
	// OU13 RXF current 1
	// DU13 RXF current 1
	// OU13 PXF current 2
}

func ExampleFormatDisplay() {
	fmt.Println(vrm.FormatDisplay("ab12cde"), "|", vrm.FormatDisplay("1234ab"), "|", vrm.FormatDisplay("wx123ab"))
	// Output: AB12 CDE | 1234 AB | WX123 AB
}

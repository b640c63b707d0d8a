package scenario_test

import (
	"fmt"
	"path/filepath"
	"strings"

	"anpr/sim/scenario"
)

// A scenario with a camera on a link the network does not have is refused
// before anything runs, naming the line and what is wrong.
func ExampleParse() {
	dir := filepath.Join("..", "..", "scenarios")
	_, err := scenario.Parse(filepath.Join(dir, "example.yaml"), []byte(`name: example
seed: 1
start: 2026-03-03 09:00
duration: 10m
cameras:
  - id: a38
    from: bassetts-pole
    to: stafford
`))
	fmt.Println(strings.TrimPrefix(err.Error(), dir+string(filepath.Separator)))
	// Output: example.yaml:8:9: cameras[0].to: no link from bassetts-pole to stafford in network staffordshire (from bassetts-pole one can go to: ext-sutton, weeford, fazeley, ext-coleshill)
}

package display

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"anpr/engine/vrm"
	"anpr/sim/scene"
)

var asOf = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// The same configuration gives the same plan; another seed another one.
func TestPlanIsDeterministic(t *testing.T) {
	c := Config{Count: 30, Seed: 7, Condition: scene.Mixed, AsOf: asOf}
	a, err := NewPlan(c)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewPlan(c)
	if !reflect.DeepEqual(a.Items, b.Items) {
		t.Fatal("two plans from one configuration differ")
	}
	c.Seed = 8
	other, _ := NewPlan(c)
	same := 0
	for i := range a.Items {
		if a.Items[i].Mark == other.Items[i].Mark {
			same++
		}
	}
	if same > 1 {
		t.Errorf("seeds 7 and 8 share %d of 30 marks", same)
	}
	for i, it := range a.Items {
		if it.Seq != i || it.Mark.Text == "" || vrm.Normalise(it.Mark.Display) != it.Mark.Text {
			t.Errorf("item %d: %+v", i, it)
		}
	}
}

// Mixed shows every condition (clean among them, for plates) equally
// often; a named condition is shown alone.
func TestPlanConditions(t *testing.T) {
	n := len(scene.ConditionNames()) + 1
	p, err := NewPlan(Config{Count: 3 * n, Seed: 1, Condition: scene.Mixed, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, it := range p.Items {
		counts[it.Condition]++
	}
	if len(counts) != n {
		t.Errorf("mixed plates: %d conditions, want %d: %v", len(counts), n, counts)
	}
	for c, k := range counts {
		if k != 3 {
			t.Errorf("mixed plates: %s shown %d times in %d items, want 3", c, k, 3*n)
		}
	}
	s, _ := NewPlan(Config{Kind: KindScene, Count: 40, Seed: 1, AsOf: asOf})
	for _, it := range s.Items {
		if it.Condition == Clean {
			t.Fatal("a scene plan shows the clean condition, which is for plates only")
		}
	}
	ir, _ := NewPlan(Config{Count: 5, Condition: "night-ir", AsOf: asOf})
	for _, it := range ir.Items {
		if it.Condition != "night-ir" {
			t.Errorf("item %d: condition %s, want night-ir", it.Seq, it.Condition)
		}
	}
	def, _ := NewPlan(Config{AsOf: asOf})
	if def.Count != DefaultCount || def.Items[0].Condition != Clean || def.PlateMM != 520 || def.Show != 2*time.Second {
		t.Errorf("defaults: %+v", def.Config)
	}
}

func TestBadConfigs(t *testing.T) {
	for _, c := range []Config{
		{Kind: "car"}, {Count: -1}, {Show: -time.Second}, {Gap: -1}, {PlateMM: -5},
		{Condition: "snow"}, {Kind: KindScene, Condition: Clean},
	} {
		if _, err := NewPlan(c); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%+v: err %v, want ErrBadConfig", c, err)
		}
	}
}

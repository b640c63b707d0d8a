package camera

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRegistryKeepsCamerasAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cameras.json")
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c := Camera{ID: "A38-N1", Name: "A38 northbound", District: "South Derbyshire", Lat: 52.85, Lon: -1.52, Active: true}
	if added, err := r.Put(c); err != nil || !added {
		t.Fatalf("Put = %v, %v; want added", added, err)
	}
	if added, err := r.Put(c); err != nil || added {
		t.Fatalf("second Put = %v, %v; want replaced", added, err)
	}
	r2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r2.Get("A38-N1")
	if err != nil || got != c {
		t.Fatalf("after reopen Get = %+v, %v; want %+v", got, err, c)
	}
	if p := got.Public(); p.District != "South Derbyshire" || p.ID != "A38-N1" {
		t.Errorf("Public = %+v", p)
	}
	if err := r2.Delete("A38-N1"); err != nil {
		t.Fatal(err)
	}
	if _, err := r2.Get("A38-N1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
	if err := r2.Delete("A38-N1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete: %v, want ErrNotFound", err)
	}
}

func TestCheckRefusesBadCameras(t *testing.T) {
	good := Camera{ID: "cam-1", District: "Derby", Lat: 52.9, Lon: -1.47}
	for _, tc := range []struct {
		name string
		edit func(*Camera)
	}{
		{"empty id", func(c *Camera) { c.ID = "" }},
		{"slash in id", func(c *Camera) { c.ID = "../etc" }},
		{"space in id", func(c *Camera) { c.ID = "cam 1" }},
		{"no district", func(c *Camera) { c.District = " " }},
		{"outside the UK", func(c *Camera) { c.Lat, c.Lon = 48.85, 2.35 }},
	} {
		c := good
		tc.edit(&c)
		if err := c.Check(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Check = %v, want ErrInvalid", tc.name, err)
		}
	}
	if err := good.Check(); err != nil {
		t.Errorf("good camera: %v", err)
	}
}

func TestOpenRefusesACorruptRegister(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cameras.json")
	if err := os.WriteFile(path, []byte(`[{"id":"a","district":"D","lat":52,"lon":-1},{"id":"a","district":"D","lat":52,"lon":-1}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil {
		t.Fatal("Open accepted a register listing a camera twice")
	}
}

package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/spf13/pflag"
)

// applyConfigFile sets, from a YAML file, every flag the command line did
// not set: its keys are the flag names without "--". A list sets a
// repeatable flag once per item; a map sets a NAME=VALUE flag (--hotlist,
// --feed) once per entry. The command line wins over the file, so one file
// can serve several processes of a role with a flag or two changed.
func applyConfigFile(fs *pflag.FlagSet, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return usageError{fmt.Errorf("--config: %w", err)}
	}
	var settings map[string]any
	if err := yaml.Unmarshal(data, &settings); err != nil {
		return usageError{fmt.Errorf("--config %s: not a YAML map of settings: %v", path, err)}
	}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		bad := func(format string, a ...any) error {
			return usageError{fmt.Errorf("--config %s: %s: %s", path, key, fmt.Sprintf(format, a...))}
		}
		fl := fs.Lookup(key)
		if fl == nil || key == "config" || key == "help" {
			return bad("no such setting (settings are the command's flag names without --)")
		}
		if fs.Changed(key) {
			continue
		}
		var values []string
		switch v := settings[key].(type) {
		case nil:
			return bad("no value")
		case []any:
			for _, item := range v {
				s, ok := scalar(item)
				if !ok {
					return bad("list items must be plain values")
				}
				values = append(values, s)
			}
		case map[string]any:
			names := make([]string, 0, len(v))
			for name := range v {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				s, ok := scalar(v[name])
				if !ok {
					return bad("%s: map values must be plain values", name)
				}
				values = append(values, name+"="+s)
			}
		default:
			s, ok := scalar(v)
			if !ok {
				return bad("want a plain value, a list or a map")
			}
			values = []string{s}
		}
		repeatable := strings.HasSuffix(fl.Value.Type(), "Array") || strings.HasSuffix(fl.Value.Type(), "Slice")
		if len(values) > 1 && !repeatable {
			return bad("takes one value, got %d", len(values))
		}
		for _, s := range values {
			if err := fs.Set(key, s); err != nil {
				return bad("%v", err)
			}
		}
	}
	return nil
}

// scalar renders a YAML scalar as the command line would spell it.
func scalar(v any) (string, bool) {
	switch v.(type) {
	case string, bool, int, int64, uint64, float64:
		return fmt.Sprint(v), true
	}
	return "", false
}

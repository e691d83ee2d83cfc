package sqlcommon

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one embedded schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations returns the migrations in fsys's folder "migrations", in
// version order. Each file's name starts with its version, a positive number,
// and '_'; versions run 1, 2, … without gaps. prefix begins the errors ("sqlite",
// "postgres").
func LoadMigrations(fsys fs.FS, prefix string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("%s: migration %q: name must start with a positive number and '_'", prefix, name)
		}
		b, err := fs.ReadFile(fsys, path.Join("migrations", name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("%s: migration %q: expected version %d", prefix, m.Name, i+1)
		}
	}
	return ms, nil
}

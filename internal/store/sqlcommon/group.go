package sqlcommon

// Grouped collects records from the rows of a join ordered by record: one row
// per child (or one row without a child), the record's own columns repeated on
// each row of the record.
type Grouped[T any] struct {
	Records []*T
	lastKey string
}

// Add returns the record a row keyed key belongs to: rec, appended to Records,
// when the row starts a new record (isNew: its own columns are still to be
// decoded), else the record of the previous row.
func (g *Grouped[T]) Add(key string, rec *T) (cur *T, isNew bool) {
	if n := len(g.Records); n > 0 && g.lastKey == key {
		return g.Records[n-1], false
	}
	g.Records, g.lastKey = append(g.Records, rec), key
	return rec, true
}

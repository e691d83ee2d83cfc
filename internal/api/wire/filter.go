package wire

import (
	"encoding/json"
	"net/url"
	"strconv"
)

// Query encodes the filter as query parameters (ParseListFilter's inverse).
func (f ListFilter) Query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("name", f.Name)
	set("name_exact", f.NameExact)
	set("domain", f.Domain)
	set("status", f.Status)
	set("source", f.Source)
	set("project", f.Project)
	for _, id := range f.IDs {
		q.Add("id", id)
	}
	if len(f.Tags) > 0 {
		b, _ := json.Marshal(f.Tags)
		q.Set("tags", string(b))
	}
	if f.ExpiringWithinDays != nil {
		q.Set("expiring_within_days", strconv.Itoa(*f.ExpiringWithinDays))
	}
	return q
}

// ParseListFilter decodes query parameters into a filter and validates it.
func ParseListFilter(q url.Values) (ListFilter, error) {
	f := ListFilter{
		Name:      q.Get("name"),
		NameExact: q.Get("name_exact"),
		Domain:    q.Get("domain"),
		Status:    q.Get("status"),
		Source:    q.Get("source"),
		Project:   q.Get("project"),
		IDs:       q["id"],
	}
	if t := q.Get("tags"); t != "" {
		if err := json.Unmarshal([]byte(t), &f.Tags); err != nil {
			return f, FieldError("tags", "Invalid Tags Filter", "The tags filter must be a JSON object of strings.")
		}
	}
	if d := q.Get("expiring_within_days"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return f, FieldError("expiring_within_days", "Invalid Day Count", "expiring_within_days must be a whole number.")
		}
		f.ExpiringWithinDays = &n
	}
	return f, f.Validate()
}

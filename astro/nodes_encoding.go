package astro

import "encoding/json"

// MarshalJSON writes the collection as a JSON array of node IDs, so that
// collections can be kept with a snapshot or in a cache.
func (c NodeCollection) MarshalJSON() ([]byte, error) {
	if c.ids == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(c.ids)
}

// UnmarshalJSON reads a JSON array of node IDs.
func (c *NodeCollection) UnmarshalJSON(b []byte) error {
	var ids []int
	if err := json.Unmarshal(b, &ids); err != nil {
		return err
	}
	c.ids = ids
	return nil
}

// GobEncode implements gob.GobEncoder (the node IDs, as JSON).
func (c NodeCollection) GobEncode() ([]byte, error) { return c.MarshalJSON() }

// GobDecode implements gob.GobDecoder.
func (c *NodeCollection) GobDecode(b []byte) error { return c.UnmarshalJSON(b) }

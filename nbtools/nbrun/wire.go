package nbrun

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// protocolVersion is the Jupyter messaging protocol version spoken by the runner.
const protocolVersion = "5.3"

// delimiter separates the ZeroMQ routing identities from the signed message frames.
const delimiter = "<IDS|MSG>"

// header is the header (and parent_header) of a Jupyter message.
type header struct {
	MsgID    string `json:"msg_id"`
	Username string `json:"username"`
	Session  string `json:"session"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
	Date     string `json:"date"`
}

// message is a decoded Jupyter message. Content and Metadata are kept raw and
// decoded lazily by the consumer, which knows the expected shape.
type message struct {
	Identities [][]byte
	Header     header
	Parent     header
	Metadata   json.RawMessage
	Content    json.RawMessage
}

// codec signs, encodes and decodes Jupyter wire-protocol messages
// (https://jupyter-client.readthedocs.io/en/latest/messaging.html#the-wire-protocol).
type codec struct {
	key     []byte // HMAC-SHA256 key; empty disables signing.
	session string
}

// newID returns a random UUID-like identifier (version 4 layout).
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error.
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// newMessage builds a request message of the given type with a fresh header.
func (c *codec) newMessage(msgType string, content any) (*message, error) {
	raw, err := json.Marshal(content)
	if err != nil {
		return nil, fmt.Errorf("nbrun: encoding %s content: %w", msgType, err)
	}
	return &message{
		Header: header{
			MsgID:    newID(),
			Username: "nbrun",
			Session:  c.session,
			MsgType:  msgType,
			Version:  protocolVersion,
			Date:     time.Now().UTC().Format(time.RFC3339Nano),
		},
		Metadata: json.RawMessage("{}"),
		Content:  raw,
	}, nil
}

// sign returns the hex HMAC-SHA256 of the four JSON frames, or "" without a key.
func (c *codec) sign(frames ...[]byte) string {
	if len(c.key) == 0 {
		return ""
	}
	mac := hmac.New(sha256.New, c.key)
	for _, f := range frames {
		mac.Write(f)
	}
	return hex.EncodeToString(mac.Sum(nil))
}

// encode serialises m into ZeroMQ frames:
// identities…, "<IDS|MSG>", hmac, header, parent_header, metadata, content.
func (c *codec) encode(m *message) ([][]byte, error) {
	hdr, err := json.Marshal(m.Header)
	if err != nil {
		return nil, err
	}
	// An empty parent header is sent as {} as the protocol asks.
	parent := []byte("{}")
	if m.Parent.MsgID != "" {
		if parent, err = json.Marshal(m.Parent); err != nil {
			return nil, err
		}
	}
	meta := []byte(m.Metadata)
	if len(meta) == 0 {
		meta = []byte("{}")
	}
	content := []byte(m.Content)
	if len(content) == 0 {
		content = []byte("{}")
	}
	frames := make([][]byte, 0, len(m.Identities)+6)
	frames = append(frames, m.Identities...)
	frames = append(frames, []byte(delimiter), []byte(c.sign(hdr, parent, meta, content)), hdr, parent, meta, content)
	return frames, nil
}

// errBadSignature is returned by decode when the HMAC does not match.
var errBadSignature = errors.New("nbrun: invalid message signature")

// decode parses ZeroMQ frames into a message and verifies the signature.
func (c *codec) decode(frames [][]byte) (*message, error) {
	i := 0
	for i < len(frames) && string(frames[i]) != delimiter {
		i++
	}
	if i == len(frames) {
		return nil, errors.New("nbrun: message without <IDS|MSG> delimiter")
	}
	if len(frames) < i+6 {
		return nil, fmt.Errorf("nbrun: message has %d frames after the delimiter, want at least 5", len(frames)-i-1)
	}
	sig, hdr, parent, meta, content := frames[i+1], frames[i+2], frames[i+3], frames[i+4], frames[i+5]
	if len(c.key) != 0 {
		want, err := hex.DecodeString(string(sig))
		if err != nil {
			return nil, errBadSignature
		}
		mac := hmac.New(sha256.New, c.key)
		for _, f := range [][]byte{hdr, parent, meta, content} {
			mac.Write(f)
		}
		if !hmac.Equal(mac.Sum(nil), want) {
			return nil, errBadSignature
		}
	}
	m := &message{
		Identities: frames[:i],
		Metadata:   json.RawMessage(meta),
		Content:    json.RawMessage(content),
	}
	if err := json.Unmarshal(hdr, &m.Header); err != nil {
		return nil, fmt.Errorf("nbrun: decoding header: %w", err)
	}
	// The parent header may be {} (no parent).
	if err := json.Unmarshal(parent, &m.Parent); err != nil {
		return nil, fmt.Errorf("nbrun: decoding parent_header: %w", err)
	}
	return m, nil
}

// Package compact decodes the typed resource from the native library's compact binary form
// (the format is described in src/compact.rs, which writes it from the core's models) into the
// palisade package's structs, matching names against their `json` tags as encoding/json
// would. It gives the same values encoding/json gives from the core's canonical JSON, for a
// fraction of the cost: no text to scan, strings share the event's buffer instead of being
// allocated one by one, and each struct type's plan (field offsets and setters) is built once
// by reflection and cached.
//
// Whatever it cannot reproduce exactly (a type with its own UnmarshalJSON, a `,string` tag, an
// embedded struct, a node of a kind the field cannot take) makes Decode fail, and the caller
// falls back to encoding/json over the canonical JSON: the fast path never guesses.
package compact

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"unsafe"
)

// Node tags (src/compact.rs).
const (
	tagNull   = 0
	tagFalse  = 1
	tagTrue   = 2
	tagUint   = 3
	tagInt    = 4
	tagFloat  = 5
	tagStr    = 6
	tagJSON   = 7
	tagStruct = 8
	tagMap    = 9
	tagSeq    = 10
)

// maxDepth bounds the nesting Decode follows (the resources are a few levels deep).
const maxDepth = 64

// ErrUnsupported is returned (wrapped) when the data or the target type is outside what the
// fast path reproduces exactly; the caller then decodes the canonical JSON instead.
var ErrUnsupported = errors.New("compact: not decodable on the fast path")

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnsupported}, args...)...)
}

// Decode fills *target (target is a non-nil pointer to a struct, zero on entry) from data, one
// node. The strings it sets share data's memory, so data must never be modified afterwards
// (json.RawMessage fields are sub-slices of data, capped: appending to one copies it). A null
// node leaves the target at its zero value. On an error, *target may be partly filled: discard
// it.
func Decode(data []byte, target any) error {
	v := reflect.ValueOf(target)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return unsupported("target is %T, not a non-nil pointer", target)
	}
	dec, err := decoderFor(v.Type().Elem())
	if err != nil {
		return err
	}
	r := reader{data: data}
	if err := dec(&r, v.UnsafePointer(), 0); err != nil {
		return err
	}
	if r.at != len(r.data) {
		return unsupported("%d bytes after the value", len(r.data)-r.at)
	}
	return nil
}

// reader walks the data. Every read checks its bounds: a truncated or corrupt buffer is an
// error, never a panic.
type reader struct {
	data []byte
	at   int
}

var errTruncated = fmt.Errorf("%w: truncated data", ErrUnsupported)

func (r *reader) tag() (byte, error) {
	if r.at >= len(r.data) {
		return 0, errTruncated
	}
	t := r.data[r.at]
	r.at++
	return t, nil
}

func (r *reader) u32() (int, error) {
	if len(r.data)-r.at < 4 {
		return 0, errTruncated
	}
	n := binary.LittleEndian.Uint32(r.data[r.at:])
	r.at += 4
	return int(n), nil
}

func (r *reader) u64() (uint64, error) {
	if len(r.data)-r.at < 8 {
		return 0, errTruncated
	}
	n := binary.LittleEndian.Uint64(r.data[r.at:])
	r.at += 8
	return n, nil
}

// bytes is the next n bytes (a capped sub-slice of data).
func (r *reader) bytes(n int) ([]byte, error) {
	if n < 0 || len(r.data)-r.at < n {
		return nil, errTruncated
	}
	b := r.data[r.at : r.at+n : r.at+n]
	r.at += n
	return b, nil
}

// str is a length-prefixed string sharing data's memory.
func (r *reader) str() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	b, err := r.bytes(n)
	if err != nil || n == 0 {
		return "", err
	}
	return unsafe.String(&b[0], n), nil
}

// skip passes over one node whose tag was read (a field the target does not have).
func (r *reader) skip(tag byte, depth int) error {
	if depth > maxDepth {
		return unsupported("nested deeper than %d", maxDepth)
	}
	switch tag {
	case tagNull, tagFalse, tagTrue:
		return nil
	case tagUint, tagInt, tagFloat:
		_, err := r.u64()
		return err
	case tagStr, tagJSON:
		n, err := r.u32()
		if err == nil {
			_, err = r.bytes(n)
		}
		return err
	case tagStruct, tagMap, tagSeq:
		n, err := r.u32()
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if tag == tagStruct {
				if _, err := r.str(); err != nil {
					return err
				}
			} else if tag == tagMap {
				if err := r.skipNode(depth + 1); err != nil {
					return err
				}
			}
			if err := r.skipNode(depth + 1); err != nil {
				return err
			}
		}
		return nil
	}
	return unsupported("unknown tag %d", tag)
}

func (r *reader) skipNode(depth int) error {
	t, err := r.tag()
	if err != nil {
		return err
	}
	return r.skip(t, depth)
}

// decoder reads one node into the value at p (of the type it was built for). It reads the
// node's tag itself.
type decoder func(r *reader, p unsafe.Pointer, depth int) error

var (
	cache           sync.Map // reflect.Type -> decoder
	rawMessageType  = reflect.TypeOf(json.RawMessage(nil))
	unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshaler = reflect.TypeOf((*interface{ UnmarshalText([]byte) error })(nil)).Elem()
	stringMapType   = reflect.TypeOf(map[string]string(nil))
)

// decoderFor is the cached decoder of t, built on first use.
func decoderFor(t reflect.Type) (decoder, error) {
	if d, ok := cache.Load(t); ok {
		return d.(decoder), nil
	}
	d, err := build(t, map[reflect.Type]*decoder{})
	if err != nil {
		return nil, err
	}
	cache.Store(t, d)
	return d, nil
}

// build makes t's decoder; building maps the types in progress, so a recursive type refers to
// its own decoder through an indirection.
func build(t reflect.Type, building map[reflect.Type]*decoder) (decoder, error) {
	if slot, ok := building[t]; ok {
		return func(r *reader, p unsafe.Pointer, depth int) error { return (*slot)(r, p, depth) }, nil
	}
	if t == rawMessageType {
		return decodeRawMessage, nil
	}
	if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) ||
		t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return nil, unsupported("%s decodes itself", t)
	}
	switch t.Kind() {
	case reflect.String:
		return decodeString, nil
	case reflect.Bool:
		return decodeBool, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintDecoder(t), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return intDecoder(t), nil
	case reflect.Float64:
		return decodeFloat64, nil
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return nil, unsupported("interface %s", t)
		}
		return jsonOnly(t), nil
	case reflect.Pointer:
		return pointerDecoder(t, building)
	case reflect.Struct:
		return structDecoder(t, building)
	case reflect.Map:
		return mapDecoder(t, building)
	case reflect.Slice:
		return sliceDecoder(t, building)
	}
	return nil, unsupported("type %s", t)
}

// nullOr reads the tag; a null node leaves the value as it is (zero), as encoding/json does for
// every type this package handles (and as the palisade package always did for a null
// json.RawMessage).
func nullOr(r *reader) (byte, bool, error) {
	t, err := r.tag()
	return t, err == nil && t == tagNull, err
}

func mismatch(tag byte, want string) error {
	return unsupported("a node of kind %d where %s is expected", tag, want)
}

func decodeString(r *reader, p unsafe.Pointer, _ int) error {
	t, null, err := nullOr(r)
	if err != nil || null {
		return err
	}
	if t != tagStr {
		return mismatch(t, "a string")
	}
	s, err := r.str()
	*(*string)(p) = s
	return err
}

func decodeBool(r *reader, p unsafe.Pointer, _ int) error {
	t, null, err := nullOr(r)
	if err != nil || null {
		return err
	}
	switch t {
	case tagTrue:
		*(*bool)(p) = true
	case tagFalse:
		*(*bool)(p) = false
	default:
		return mismatch(t, "a bool")
	}
	return nil
}

func uintDecoder(t reflect.Type) decoder {
	bits := t.Bits()
	return func(r *reader, p unsafe.Pointer, _ int) error {
		tag, null, err := nullOr(r)
		if err != nil || null {
			return err
		}
		n, err := r.u64()
		if err != nil {
			return err
		}
		if (tag != tagUint && (tag != tagInt || int64(n) < 0)) || (bits < 64 && n>>bits != 0) {
			return mismatch(tag, t.String())
		}
		reflect.NewAt(t, p).Elem().SetUint(n)
		return nil
	}
}

func intDecoder(t reflect.Type) decoder {
	bits := t.Bits()
	return func(r *reader, p unsafe.Pointer, _ int) error {
		tag, null, err := nullOr(r)
		if err != nil || null {
			return err
		}
		n, err := r.u64()
		if err != nil {
			return err
		}
		v := int64(n)
		if (tag != tagInt && (tag != tagUint || v < 0)) || v<<(64-bits)>>(64-bits) != v {
			return mismatch(tag, t.String())
		}
		reflect.NewAt(t, p).Elem().SetInt(v)
		return nil
	}
}

// decodeFloat64 takes a float (serde_json writes the shortest text that reads back as the same
// float64, so encoding/json would get this very value) or an integer (converted with the same
// rounding as parsing its decimal text). float32 is left to encoding/json.
func decodeFloat64(r *reader, p unsafe.Pointer, _ int) error {
	t, null, err := nullOr(r)
	if err != nil || null {
		return err
	}
	n, err := r.u64()
	if err != nil {
		return err
	}
	switch t {
	case tagFloat:
		*(*float64)(p) = math.Float64frombits(n)
	case tagUint:
		*(*float64)(p) = float64(n)
	case tagInt:
		*(*float64)(p) = float64(int64(n))
	default:
		return mismatch(t, "a number")
	}
	return nil
}

// decodeRawMessage takes a JSON node: a serde_json::Value's text, exactly as the canonical JSON
// carries it.
func decodeRawMessage(r *reader, p unsafe.Pointer, _ int) error {
	t, null, err := nullOr(r)
	if err != nil || null {
		return err
	}
	if t != tagJSON {
		return mismatch(t, "JSON text")
	}
	n, err := r.u32()
	if err != nil {
		return err
	}
	b, err := r.bytes(n)
	*(*json.RawMessage)(p) = b
	return err
}

// jsonOnly decodes a JSON node with encoding/json (an `any` field over a serde_json::Value).
func jsonOnly(t reflect.Type) decoder {
	return func(r *reader, p unsafe.Pointer, _ int) error {
		tag, null, err := nullOr(r)
		if err != nil || null {
			return err
		}
		if tag != tagJSON {
			return mismatch(tag, "JSON text")
		}
		n, err := r.u32()
		if err != nil {
			return err
		}
		b, err := r.bytes(n)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, reflect.NewAt(t, p).Interface()); err != nil {
			return unsupported("%v", err)
		}
		return nil
	}
}

func pointerDecoder(t reflect.Type, building map[reflect.Type]*decoder) (decoder, error) {
	elem := t.Elem()
	dec, err := build(elem, building)
	if err != nil {
		return nil, err
	}
	return func(r *reader, p unsafe.Pointer, depth int) error {
		if r.at < len(r.data) && r.data[r.at] == tagNull {
			r.at++
			return nil
		}
		v := reflect.New(elem).UnsafePointer()
		if err := dec(r, v, depth); err != nil {
			return err
		}
		*(*unsafe.Pointer)(p) = v
		return nil
	}, nil
}

// field is where a struct field lives and how it is decoded.
type field struct {
	name   string
	offset uintptr
	dec    decoder
}

// structPlan is a struct type's fields by name, in declaration order (the order the core's
// models write them in, so the next expected field is tried first).
type structPlan struct {
	fields []field
	byName map[string]int
}

// lookup finds a field as encoding/json does: the exact name, else one equal under case
// folding. next is the index after the previous match.
func (s *structPlan) lookup(name string, next int) (int, bool) {
	if next < len(s.fields) && s.fields[next].name == name {
		return next, true
	}
	if i, ok := s.byName[name]; ok {
		return i, true
	}
	for i := range s.fields {
		if strings.EqualFold(s.fields[i].name, name) {
			return i, true
		}
	}
	return 0, false
}

func structDecoder(t reflect.Type, building map[reflect.Type]*decoder) (decoder, error) {
	plan := &structPlan{byName: map[string]int{}}
	var self decoder
	building[t] = &self
	defer delete(building, t)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		if f.Anonymous {
			return nil, unsupported("embedded field %s.%s", t, f.Name)
		}
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !hasTag || name == "" {
			name = f.Name
		}
		for _, o := range strings.Split(opts, ",") {
			if o == "string" {
				return nil, unsupported("the ,string option on %s.%s", t, f.Name)
			}
		}
		if _, dup := plan.byName[name]; dup {
			return nil, unsupported("two fields named %q in %s", name, t)
		}
		dec, err := build(f.Type, building)
		if err != nil {
			return nil, err
		}
		plan.byName[name] = len(plan.fields)
		plan.fields = append(plan.fields, field{name: name, offset: f.Offset, dec: dec})
	}
	self = func(r *reader, p unsafe.Pointer, depth int) error {
		t, null, err := nullOr(r)
		if err != nil || null {
			return err
		}
		if t != tagStruct {
			return mismatch(t, "a struct")
		}
		if depth++; depth > maxDepth {
			return unsupported("nested deeper than %d", maxDepth)
		}
		n, err := r.u32()
		if err != nil {
			return err
		}
		next := 0
		for i := 0; i < n; i++ {
			name, err := r.str()
			if err != nil {
				return err
			}
			j, ok := plan.lookup(name, next)
			if !ok {
				if err := r.skipNode(depth); err != nil {
					return err
				}
				continue
			}
			f := &plan.fields[j]
			if err := f.dec(r, unsafe.Add(p, f.offset), depth); err != nil {
				return err
			}
			next = j + 1
		}
		return nil
	}
	return self, nil
}

func mapDecoder(t reflect.Type, building map[reflect.Type]*decoder) (decoder, error) {
	if t.Key().Kind() != reflect.String {
		return nil, unsupported("map key type %s", t.Key())
	}
	if t == stringMapType {
		return decodeStringMap, nil
	}
	elemDec, err := build(t.Elem(), building)
	if err != nil {
		return nil, err
	}
	keyType, elemType := t.Key(), t.Elem()
	return func(r *reader, p unsafe.Pointer, depth int) error {
		tag, null, err := nullOr(r)
		if err != nil || null {
			return err
		}
		if tag != tagMap {
			return mismatch(tag, "a map")
		}
		n, err := r.u32()
		if err != nil {
			return err
		}
		m := reflect.NewAt(t, p).Elem()
		m.Set(reflect.MakeMapWithSize(t, min(n, 1024)))
		for i := 0; i < n; i++ {
			var key string
			if err := decodeString(r, unsafe.Pointer(&key), depth); err != nil {
				return err
			}
			v := reflect.New(elemType)
			if err := elemDec(r, v.UnsafePointer(), depth+1); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(key).Convert(keyType), v.Elem())
		}
		return nil
	}, nil
}

// decodeStringMap is map[string]string without reflection (the transaction's attributes).
func decodeStringMap(r *reader, p unsafe.Pointer, depth int) error {
	tag, null, err := nullOr(r)
	if err != nil || null {
		return err
	}
	if tag != tagMap {
		return mismatch(tag, "a map")
	}
	n, err := r.u32()
	if err != nil {
		return err
	}
	m := make(map[string]string, min(n, 1024))
	for i := 0; i < n; i++ {
		var k, v string
		if err := decodeString(r, unsafe.Pointer(&k), depth); err != nil {
			return err
		}
		if err := decodeString(r, unsafe.Pointer(&v), depth); err != nil {
			return err
		}
		m[k] = v
	}
	*(*map[string]string)(p) = m
	return nil
}

func sliceDecoder(t reflect.Type, building map[reflect.Type]*decoder) (decoder, error) {
	if t.Elem().Kind() == reflect.Uint8 {
		return nil, unsupported("%s (base64 in JSON)", t)
	}
	elemDec, err := build(t.Elem(), building)
	if err != nil {
		return nil, err
	}
	size := t.Elem().Size()
	return func(r *reader, p unsafe.Pointer, depth int) error {
		tag, null, err := nullOr(r)
		if err != nil || null {
			return err
		}
		if tag != tagSeq {
			return mismatch(tag, "a sequence")
		}
		n, err := r.u32()
		if err != nil {
			return err
		}
		if n > len(r.data)-r.at { // every element takes at least one byte
			return errTruncated
		}
		s := reflect.MakeSlice(t, n, n)
		base := s.UnsafePointer()
		for i := 0; i < n; i++ {
			if err := elemDec(r, unsafe.Add(base, uintptr(i)*size), depth+1); err != nil {
				return err
			}
		}
		reflect.NewAt(t, p).Elem().Set(s)
		return nil
	}, nil
}

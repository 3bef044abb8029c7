package compact

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
)

// enc builds nodes by hand, as src/compact.rs writes them.
type enc []byte

func (e enc) tag(t byte) enc { return append(e, t) }
func (e enc) u32(n int) enc  { return binary.LittleEndian.AppendUint32(e, uint32(n)) }
func (e enc) str(s string) enc {
	return append(e.tag(tagStr).u32(len(s)), s...)
}
func (e enc) name(s string) enc { return append(e.u32(len(s)), s...) }
func (e enc) uint(n uint64) enc { return binary.LittleEndian.AppendUint64(e.tag(tagUint), n) }
func (e enc) int(n int64) enc   { return binary.LittleEndian.AppendUint64(e.tag(tagInt), uint64(n)) }
func (e enc) float(f float64) enc {
	return binary.LittleEndian.AppendUint64(e.tag(tagFloat), math.Float64bits(f))
}
func (e enc) json(s string) enc      { return append(e.tag(tagJSON).u32(len(s)), s...) }
func (e enc) open(t byte, n int) enc { return e.tag(t).u32(n) }

type inner struct {
	N uint32 `json:"n,omitempty"`
}

type target struct {
	S      string            `json:"s"`
	Named  namedString       `json:"named,omitempty"`
	B      bool              `json:"b"`
	U8     uint8             `json:"u8"`
	I      int               `json:"i"`
	F      float64           `json:"f"`
	Raw    json.RawMessage   `json:"raw"`
	Any    any               `json:"any"`
	P      *inner            `json:"p"`
	V      inner             `json:"v"`
	M      map[string]string `json:"m"`
	MP     map[string]*inner `json:"mp"`
	L      []int64           `json:"l"`
	NoTag  string
	Hidden string `json:"-"`
	lower  string
}

type namedString string

func sample() enc {
	return enc{}.open(tagStruct, 16).
		name("s").str("hello").
		name("NAMED").str("folded").
		name("b").tag(tagTrue).
		name("u8").uint(255).
		name("i").int(-5).
		name("f").float(2.5).
		name("raw").json(`{"a":[1]}`).
		name("any").json(`[1,"x"]`).
		name("p").open(tagStruct, 1).name("n").uint(7).
		name("v").open(tagStruct, 1).name("n").uint(8).
		name("m").open(tagMap, 2).str("k").str("v").str("").str("e").
		name("mp").open(tagMap, 1).str("x").open(tagStruct, 0).
		name("l").open(tagSeq, 2).int(-1).uint(2).
		name("NoTag").str("nt").
		name("unknown").open(tagSeq, 1).open(tagMap, 1).str("k").open(tagStruct, 1).name("z").json("1").
		name("-").str("not the hidden field")
}

func TestDecodeEveryKind(t *testing.T) {
	var got target
	if err := Decode(sample(), &got); err != nil {
		t.Fatal(err)
	}
	want := target{S: "hello", Named: "folded", B: true, U8: 255, I: -5, F: 2.5,
		Raw: json.RawMessage(`{"a":[1]}`), Any: []any{1.0, "x"}, P: &inner{N: 7}, V: inner{N: 8},
		M: map[string]string{"k": "v", "": "e"}, MP: map[string]*inner{"x": {}}, L: []int64{-1, 2},
		NoTag: "nt"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("\n got %+v\nwant %+v", got, want)
	}
	// A RawMessage is capped: appending to it never writes into the buffer.
	if cap(got.Raw) != len(got.Raw) {
		t.Fatal("RawMessage not capped")
	}
}

func TestNullLeavesZero(t *testing.T) {
	data := enc{}.open(tagStruct, 6).name("s").tag(tagNull).name("p").tag(tagNull).name("raw").tag(tagNull).
		name("m").tag(tagNull).name("l").tag(tagNull).name("v").tag(tagNull)
	var got target
	if err := Decode(data, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, target{}) {
		t.Fatalf("%+v", got)
	}
	var top target
	if err := Decode(enc{}.tag(tagNull), &top); err != nil || !reflect.DeepEqual(top, target{}) {
		t.Fatal("a null top-level node")
	}
}

// Every prefix of a valid buffer is refused with an error, never a panic.
func TestTruncatedData(t *testing.T) {
	full := sample()
	for n := 0; n < len(full); n++ {
		var got target
		if err := Decode(full[:n], &got); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("prefix of %d bytes: %v", n, err)
		}
	}
	var got target
	if err := Decode(append(sample(), 0), &got); !errors.Is(err, ErrUnsupported) {
		t.Fatal("trailing bytes accepted")
	}
}

func TestMismatchesAreRefused(t *testing.T) {
	field := func(name string, node enc) enc { return append(enc{}.open(tagStruct, 1).name(name), node...) }
	for what, data := range map[string]enc{
		"number into string":     field("s", enc{}.uint(1)),
		"string into bool":       field("b", enc{}.str("true")),
		"overflowing uint8":      field("u8", enc{}.uint(256)),
		"negative into uint8":    field("u8", enc{}.int(-1)),
		"float into int":         field("i", enc{}.float(1)),
		"uint over int":          field("i", enc{}.uint(math.MaxUint64)),
		"string into RawMessage": field("raw", enc{}.str("x")),
		"string into any":        field("any", enc{}.str("x")),
		"seq into struct":        field("v", enc{}.open(tagSeq, 0)),
		"map into slice":         field("l", enc{}.open(tagMap, 0)),
		"struct into map":        field("m", enc{}.open(tagStruct, 0)),
		"unknown tag":            field("s", enc{}.tag(99)),
		"unknown tag skipped":    field("zzz", enc{}.tag(99)),
		"bad JSON into any":      field("any", enc{}.json("{")),
		"huge seq count":         field("l", enc{}.open(tagSeq, 1<<30)),
	} {
		var got target
		if err := Decode(data, &got); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v", what, err)
		}
	}
}

func TestUnsupportedTypes(t *testing.T) {
	data := enc{}.open(tagStruct, 0)
	type embedded struct{ inner }
	type withString struct {
		N int `json:"n,string"`
	}
	type withTime struct{ T time.Time }
	type withFloat32 struct{ F float32 }
	type withBytes struct{ B []byte }
	type withIntMap struct{ M map[int]string }
	// Two fields with one name (built by reflection: go vet refuses the literal).
	str := reflect.TypeOf("")
	dup := reflect.New(reflect.StructOf([]reflect.StructField{
		{Name: "A", Type: str, Tag: `json:"x"`}, {Name: "B", Type: str, Tag: `json:"x"`}})).Interface()
	for _, target := range []any{&embedded{}, &withString{}, &withTime{}, &withFloat32{}, &withBytes{},
		&withIntMap{}, dup, new(int), nil, inner{}} {
		if err := Decode(data, target); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%T: %v", target, err)
		}
	}
}

type recursive struct {
	Name string     `json:"name"`
	Next *recursive `json:"next"`
}

func TestRecursiveTypesAndDepth(t *testing.T) {
	data := enc{}.open(tagStruct, 2).name("name").str("a").name("next").
		open(tagStruct, 2).name("name").str("b").name("next").tag(tagNull)
	var got recursive
	if err := Decode(data, &got); err != nil || got.Name != "a" || got.Next == nil || got.Next.Name != "b" ||
		got.Next.Next != nil {
		t.Fatalf("%+v %v", got, err)
	}
	deep := enc{}
	for i := 0; i <= maxDepth; i++ {
		deep = deep.open(tagStruct, 1).name("next")
	}
	deep = deep.tag(tagNull)
	if err := Decode(deep, &got); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("depth: %v", err)
	}
	skipped := enc{}.open(tagStruct, 1).name("zzz")
	for i := 0; i <= maxDepth; i++ {
		skipped = skipped.open(tagSeq, 1)
	}
	skipped = skipped.tag(tagNull)
	if err := Decode(skipped, &got); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("skipped depth: %v", err)
	}
}

// The same type decoded from many goroutines at once builds its plan once and races nothing
// (run under -race).
func TestConcurrentDecode(t *testing.T) {
	type fresh struct {
		A string `json:"a"`
	}
	data := enc{}.open(tagStruct, 1).name("a").str("x")
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func() {
			var got fresh
			err := Decode(data, &got)
			if err == nil && got.A != "x" {
				err = errors.New(got.A)
			}
			done <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

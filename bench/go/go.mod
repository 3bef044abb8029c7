module github.com/palisade-webhooks/palisade-webhooks/bench/go

go 1.22

require github.com/palisade-webhooks/palisade-webhooks/bindings-go v0.0.0

replace github.com/palisade-webhooks/palisade-webhooks/bindings-go => ../../bindings-go

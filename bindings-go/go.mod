module github.com/palisade-webhooks/palisade-webhooks/bindings-go

go 1.22

package server

import (
	"errors"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

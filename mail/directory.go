package mail

import "strings"

// Customer is one customer of the agreement as classification needs it.
type Customer struct {
	ID           string
	Name         string
	Language     string // sv or en
	Domains      []string
	Addresses    []string
	Applications []Application
}

// Directory is who is who: the support address, the consultants and the
// customers. It is built from the configuration and immutable.
type Directory struct {
	Support     string   // the support address, lower case
	Consultants []string // addresses, lower case
	Customers   []Customer
	// MaxHops caps Received: headers; a mail that travelled more is a loop
	// (RFC 5321 §6.3) and treated as automatic.
	MaxHops int
}

// DefaultMaxHops is the Received: cap when none is configured; Postfix
// uses 50 for hop_count_limit, and no honest support mail needs half.
const DefaultMaxHops = 30

// CustomerOf returns the customer an address belongs to: by address
// first, then by domain (SPEC §5), or nil.
func (d *Directory) CustomerOf(addr string) *Customer {
	addr = strings.ToLower(addr)
	for i := range d.Customers {
		for _, a := range d.Customers[i].Addresses {
			if a == addr {
				return &d.Customers[i]
			}
		}
	}
	dom := DomainOf(addr)
	for i := range d.Customers {
		for _, x := range d.Customers[i].Domains {
			if x == dom {
				return &d.Customers[i]
			}
		}
	}
	return nil
}

// IsConsultant reports whether addr is a configured consultant.
func (d *Directory) IsConsultant(addr string) bool {
	addr = strings.ToLower(addr)
	for _, c := range d.Consultants {
		if c == addr {
			return true
		}
	}
	return false
}

// Customer returns the customer with id, or nil.
func (d *Directory) Customer(id string) *Customer {
	for i := range d.Customers {
		if d.Customers[i].ID == id {
			return &d.Customers[i]
		}
	}
	return nil
}

// DomainOf is the domain of an address: what follows its last '@' (the
// whole string when it has none).
func DomainOf(addr string) string {
	return addr[strings.LastIndexByte(addr, '@')+1:]
}

package astro

// Hooks for the external tests in package astro_test.

// SetSIMDDisabled turns the vector path off (true) or on again (false).
func SetSIMDDisabled(v bool) { simdDisabled = v }

// SIMDAvailable tells whether this build and CPU run the vector path.
func SIMDAvailable() bool { return simdAvailable }

"""Pages o2c serves on behalf of the simulated payment processor (its 3-D Secure step)."""

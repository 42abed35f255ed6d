-- Nothing may change or remove what the PHI audit trail has recorded.
CREATE FUNCTION phi_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'phi_audit is append-only';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER phi_audit_no_change BEFORE UPDATE OR DELETE ON phi_audit
  FOR EACH ROW EXECUTE FUNCTION phi_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER phi_audit_no_truncate BEFORE TRUNCATE ON phi_audit
  FOR EACH STATEMENT EXECUTE FUNCTION phi_audit_append_only();

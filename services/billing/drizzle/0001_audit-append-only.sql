CREATE FUNCTION billing_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'billing_audit is append-only';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER billing_audit_no_change BEFORE UPDATE OR DELETE ON billing_audit
  FOR EACH ROW EXECUTE FUNCTION billing_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER billing_audit_no_truncate BEFORE TRUNCATE ON billing_audit
  FOR EACH STATEMENT EXECUTE FUNCTION billing_audit_append_only();

CREATE FUNCTION auth_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'auth_audit is append-only';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER auth_audit_no_change BEFORE UPDATE OR DELETE ON auth_audit
  FOR EACH ROW EXECUTE FUNCTION auth_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER auth_audit_no_truncate BEFORE TRUNCATE ON auth_audit
  FOR EACH STATEMENT EXECUTE FUNCTION auth_audit_append_only();

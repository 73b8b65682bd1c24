package io.eventsearch.ingestion.feed;

/**
 * The two shapes the provider feed has had: {@code planList > output > base_plan > plan > zone} and the older
 * {@code eventList > output > base_event > event > zone} with {@code event_*} attribute names.
 */
public enum FeedDialect {
    PLAN_LIST("planList", "base_plan", "plan", "base_plan_id", "plan_id", "plan_start_date", "plan_end_date"),
    EVENT_LIST("eventList", "base_event", "event", "base_event_id", "event_id", "event_start_date", "event_end_date");

    final String root;
    final String baseElement;
    final String planElement;
    final String baseIdAttribute;
    final String planIdAttribute;
    final String startAttribute;
    final String endAttribute;

    FeedDialect(String root, String baseElement, String planElement, String baseIdAttribute, String planIdAttribute,
            String startAttribute, String endAttribute) {
        this.root = root;
        this.baseElement = baseElement;
        this.planElement = planElement;
        this.baseIdAttribute = baseIdAttribute;
        this.planIdAttribute = planIdAttribute;
        this.startAttribute = startAttribute;
        this.endAttribute = endAttribute;
    }

    static FeedDialect forRoot(String localName) {
        for (FeedDialect dialect : values()) {
            if (dialect.root.equals(localName)) {
                return dialect;
            }
        }
        return null;
    }

    /** The element names of the dialect, for feed writers (generators, test fixtures). */
    public String root() {
        return root;
    }

    public String baseElement() {
        return baseElement;
    }

    public String planElement() {
        return planElement;
    }

    public String baseIdAttribute() {
        return baseIdAttribute;
    }

    public String planIdAttribute() {
        return planIdAttribute;
    }

    public String startAttribute() {
        return startAttribute;
    }

    public String endAttribute() {
        return endAttribute;
    }
}
